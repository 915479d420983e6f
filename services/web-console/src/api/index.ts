import { auditApi } from './audit.js'
import type { ApiBases } from './http.js'
import { matchApi } from './match.js'
import { notifyApi } from './notify.js'

export { ApiError, type Caller, type Problem } from './http.js'
export type * from './types.js'

/** The three services as the console calls them. */
export function createApi(bases: ApiBases) {
  return { match: matchApi(bases.match), notify: notifyApi(bases.notify), audit: auditApi(bases.audit) }
}
export type Api = ReturnType<typeof createApi>
