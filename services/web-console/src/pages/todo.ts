import type { Match } from '../api/index.js'
import { html } from '../html.js'
import { alert, dateTime, layout, type PageContext } from './layout.js'

/** The professional's first page: coordinations proposed to their organisation, contacts not yet recorded. */
export function todoPage(ctx: PageContext, matches: Match[]): string {
  const { t } = ctx
  const org = ctx.request.session?.claims.org
  const proposed = matches.filter(
    (m) => m.coordination?.status === 'proposed' && m.coordination.organisation?.id === org,
  )
  const uncontacted = matches.filter(
    (m) => !proposed.includes(m) && !m.contacted.some((c) => c.organisation.id === org),
  )
  const others = (m: Match) =>
    m.parties
      .filter((p) => p.organisation.id !== org && !p.leftAt)
      .map((p) => p.organisation.name)
      .join(', ')
  const item = (m: Match, line: string, due?: string | null) =>
    html`<li class="console-todo"><p class="utrecht-paragraph"><strong>${line}</strong><br>${others(m)}${
      due ? html`<br>${t.home.due} ${dateTime(ctx, due)}` : ''
    }</p><a class="utrecht-link" href="/matches/${m.id}">${t.home.open}<span class="console-visually-hidden"> (${others(m)})</span></a></li>`
  return layout(ctx, t.home.title, [
    html`<p class="utrecht-paragraph">${t.home.intro}</p>`,
    proposed.length + uncontacted.length === 0
      ? alert('info', t.home.nothing)
      : html`<ul class="console-list">${proposed.map((m) => item(m, t.home.proposed, m.coordination?.dueAt))}${uncontacted.map(
          (m) => item(m, t.home.overdue),
        )}</ul>`,
  ])
}
