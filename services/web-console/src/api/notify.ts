import { type Caller, call, type Query } from './http.js'
import type { Notification, Page } from './types.js'

/** notify-service's routes the console uses: the organisation's notifications. */
export function notifyApi(base: string) {
  return {
    notifications: (c: Caller, query: Query) =>
      call<Page<Notification>>(c, 'GET', `${base}/v1/notifications`, { query }),
  }
}
