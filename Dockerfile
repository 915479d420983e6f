# One image for the four services; SERVICE picks which one a container runs. The image holds compiled
# JavaScript only: services/${SERVICE}/src/server.ts is built into services/${SERVICE}/dist/server.js, and
# the migration (scripts/migrate.ts) into dist/migrate.js. No TypeScript compiler, loader or test tools at run time.

# build: every dependency, then `npm run build` (tsc) writes the dist/ folders.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/client/package.json packages/client/
COPY services/match-service/package.json services/match-service/
COPY services/notify-service/package.json services/notify-service/
COPY services/audit-service/package.json services/audit-service/
COPY services/web-console/package.json services/web-console/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY services ./services
RUN npm run build

# deps: production dependencies only. --omit=optional leaves out the embedded PostgreSQL binaries,
# which only `npm start` and the tests use.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/client/package.json packages/client/
COPY services/match-service/package.json services/match-service/
COPY services/notify-service/package.json services/notify-service/
COPY services/audit-service/package.json services/audit-service/
COPY services/web-console/package.json services/web-console/
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# node_modules/@verwijsindex/* are links to the workspace folders below, whose package.json files point
# the imports at dist/.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/package.json ./
COPY --from=deps /app/packages/shared/package.json packages/shared/
COPY --from=deps /app/packages/client/package.json packages/client/
COPY --from=deps /app/services/match-service/package.json services/match-service/
COPY --from=deps /app/services/notify-service/package.json services/notify-service/
COPY --from=deps /app/services/audit-service/package.json services/audit-service/
COPY --from=deps /app/services/web-console/package.json services/web-console/
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/shared/dist packages/shared/dist
COPY --from=build /app/packages/client/dist packages/client/dist
COPY --from=build /app/services/match-service/dist services/match-service/dist
COPY --from=build /app/services/notify-service/dist services/notify-service/dist
COPY --from=build /app/services/audit-service/dist services/audit-service/dist
COPY --from=build /app/services/web-console/dist services/web-console/dist
# Read at run time relative to the compiled files: ../../../migrations/ from packages/shared/dist/,
# ../presets/ from services/match-service/dist/.
COPY migrations ./migrations
COPY services/match-service/presets services/match-service/presets
COPY services/web-console/assets services/web-console/assets
USER node
ENV SERVICE=match-service
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/server.js"]
