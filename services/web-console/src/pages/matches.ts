import type { Match, Page, Problem } from '../api/index.js'
import { html } from '../html.js'
import { alert, button, date, dateTime, field, layout, type PageContext, postForm, table } from './layout.js'
import { selectWithId } from './registrations.js'

export function matchesPage(ctx: PageContext, list: Page<Match>): string {
  const { t } = ctx
  const org = ctx.request.session?.claims.org
  return layout(ctx, t.matches.title, [
    list.items.length === 0
      ? alert('info', t.matches.none)
      : table(
          [t.matches.involved, t.matches.since, t.matches.coordinator, t.audit.outcome],
          list.items.map((m) => [
            html`<a class="utrecht-link" href="/matches/${m.id}">${
              m.parties
                .filter((p) => p.organisation.id !== org && !p.leftAt)
                .map((p) => p.organisation.name)
                .join(', ') || m.id
            }</a>`,
            date(ctx, m.createdAt),
            m.coordination?.organisation?.name ?? t.matches.noCoordinator,
            t.status[m.status] ?? m.status,
          ]),
        ),
    list.nextCursor
      ? html`<p><a class="utrecht-link" href="/matches?cursor=${list.nextCursor}">${t.audit.next}</a></p>`
      : '',
  ])
}

/** A match: the others involved with their contact details, the coordination, and the actions. */
export function matchPage(ctx: PageContext, m: Match, state: { done?: boolean; problem?: Problem }): string {
  const { t } = ctx
  const x = t.matches
  const org = ctx.request.session?.claims.org
  const c = m.coordination
  const iCoordinate = c?.organisation?.id === org
  const open = m.status === 'open'
  const current = m.parties.filter((p) => !p.leftAt)
  const actions = []
  if (open && c && iCoordinate && c.status === 'proposed') {
    actions.push(postForm(ctx, `/matches/${m.id}/accept`, button(x.accept)))
    actions.push(
      postForm(ctx, `/matches/${m.id}/decline`, [
        field(
          'decline-reason',
          x.declineReason,
          selectWithId('decline-reason', 'reason', Object.entries(x.declineReasons)),
        ),
        button(x.decline, 'secondary'),
      ]),
    )
  }
  if (open && c && iCoordinate && c.status === 'accepted') {
    const others = current.filter((p) => p.organisation.id !== org)
    if (others.length) {
      actions.push(
        postForm(ctx, `/matches/${m.id}/transfer`, [
          field(
            'transfer-to',
            x.transferTo,
            selectWithId(
              'transfer-to',
              'organisation',
              others.map((p) => [p.organisation.id, p.organisation.name]),
            ),
          ),
          button(x.transfer, 'secondary'),
        ]),
      )
    }
  }
  if (open && !m.contacted.some((k) => k.organisation.id === org)) {
    actions.push(postForm(ctx, `/matches/${m.id}/contacted`, button(x.markContacted, 'secondary')))
  }
  if (open && c) {
    actions.push(
      postForm(ctx, `/matches/${m.id}/escalate`, [
        field(
          'escalate-reason',
          x.escalateReason,
          selectWithId('escalate-reason', 'reason', Object.entries(x.escalateReasons)),
        ),
        button(x.escalate, 'secondary'),
      ]),
    )
  }
  return layout(ctx, `${x.detail} ${t.matches.since.toLowerCase()} ${date(ctx, m.createdAt)}`, [
    state.done ? alert('ok', x.done) : '',
    state.problem ? alert('error', state.problem.errors[0]?.message ?? state.problem.detail) : '',
    html`<h2 class="utrecht-heading-2">${x.involved}</h2>`,
    table(
      [x.organisation, t.register.kind, x.contact, x.email, x.phone, x.since],
      current.map((p) => [
        html`${p.organisation.name}${p.organisation.id === org ? html` <span>${x.you}</span>` : ''}`,
        t.kind[p.kind] ?? p.kind,
        p.contact.name,
        html`<a class="utrecht-link" href="mailto:${p.contact.email}">${p.contact.email}</a>`,
        html`<a class="utrecht-link" href="tel:${p.contact.phone.replace(/[^+0-9]/g, '')}">${p.contact.phone}</a>`,
        date(ctx, p.since),
      ]),
    ),
    html`<h2 class="utrecht-heading-2">${x.coordination}</h2><dl class="console-facts">
<dt>${x.coordinator}</dt><dd>${c?.organisation?.name ?? x.noCoordinator}${c ? html` (${t.status[c.status] ?? c.status})` : ''}</dd>
${c?.dueAt && c.status === 'proposed' ? html`<dt>${x.deadline}</dt><dd>${dateTime(ctx, c.dueAt)}</dd>` : ''}
${c?.pendingTransfer ? html`<dt>${x.pendingTransfer}</dt><dd>${c.pendingTransfer.organisation.name}</dd>` : ''}
<dt>${x.contacted}</dt><dd>${m.contacted.map((k) => `${k.organisation.name} (${dateTime(ctx, k.at)})`).join(', ') || '—'}</dd>
</dl>`,
    actions.length
      ? html`<h2 class="utrecht-heading-2">${x.actions}</h2><div class="console-actions">${actions}</div>`
      : '',
    m.households.length
      ? html`<h2 class="utrecht-heading-2">${x.households}</h2>${table(
          [x.organisation, x.contact, x.email, x.phone],
          m.households.flatMap((h) =>
            h.parties.map((p) => [p.organisation.name, p.contact.name, p.contact.email, p.contact.phone]),
          ),
        )}`
      : '',
  ])
}
