import type { Notification, Page } from '../api/index.js'
import { html } from '../html.js'
import { alert, dateTime, layout, type PageContext, table } from './layout.js'

export function notificationsPage(ctx: PageContext, list: Page<Notification>): string {
  const { t } = ctx
  const n = t.notifications
  return layout(ctx, n.title, [
    list.items.length === 0
      ? alert('info', n.none)
      : table(
          [n.created, n.type, n.recipient, n.status, t.matches.detail],
          list.items.map((item) => [
            dateTime(ctx, item.createdAt),
            item.eventType,
            item.recipient,
            item.status,
            item.matchId
              ? html`<a class="utrecht-link" href="/matches/${item.matchId}">${t.registrations.match}</a>`
              : '—',
          ]),
        ),
    list.nextCursor
      ? html`<p><a class="utrecht-link" href="/notifications?cursor=${list.nextCursor}">${t.audit.next}</a></p>`
      : '',
  ])
}
