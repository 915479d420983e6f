# One image for the four services; SERVICE picks which one a container runs.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY services/match-service/package.json services/match-service/
COPY services/notify-service/package.json services/notify-service/
COPY services/audit-service/package.json services/audit-service/
COPY services/web-console/package.json services/web-console/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY migrations ./migrations
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
USER node
ENV SERVICE=match-service
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE}/src/server.ts"]
