import type { ArchivedRegistration, Page, Problem, Registration } from '../api/index.js'
import { html } from '../html.js'
import { alert, button, date, field, layout, type PageContext, postForm, table } from './layout.js'

export function registrationsPage(ctx: PageContext, list: Page<Registration>): string {
  const { t } = ctx
  const r = t.registrations
  return layout(ctx, r.title, [
    list.items.length === 0
      ? alert('info', r.none)
      : table(
          [r.detail, t.register.kind, r.created, r.ends, t.matches.detail],
          list.items.map((reg) => [
            html`<a class="utrecht-link" href="/registrations/${reg.id}">${reg.externalReference ?? date(ctx, reg.createdAt)}</a> <span>${t.status[reg.status] ?? reg.status}</span>`,
            t.kind[reg.kind] ?? reg.kind,
            date(ctx, reg.createdAt),
            date(ctx, reg.endsAt),
            reg.matchId ? html`<a class="utrecht-link" href="/matches/${reg.matchId}">${r.match}</a>` : '—',
          ]),
        ),
    list.nextCursor
      ? html`<p><a class="utrecht-link" href="/registrations?cursor=${list.nextCursor}">${t.audit.next}</a></p>`
      : '',
  ])
}

/** One registration: extend, withdraw with a reason, and the history request with its purpose. */
export function registrationPage(
  ctx: PageContext,
  reg: Registration,
  state: { done?: string | undefined; problem?: Problem; history?: ArchivedRegistration[] },
): string {
  const { t } = ctx
  const r = t.registrations
  const active = reg.status === 'active'
  return layout(ctx, `${r.detail} ${reg.externalReference ?? ''}`.trim(), [
    state.done === 'registered' ? alert('ok', reg.matchId ? t.register.matched : t.register.done) : '',
    state.done === 'saved' ? alert('ok', r.saved) : '',
    state.problem ? alert('error', state.problem.errors[0]?.message ?? state.problem.detail) : '',
    html`<dl class="console-facts">
<dt>${t.register.kind}</dt><dd>${t.kind[reg.kind] ?? reg.kind}</dd>
<dt>${t.matches.organisation}</dt><dd>${reg.organisation.name}</dd>
<dt>${r.created}</dt><dd>${date(ctx, reg.createdAt)}</dd>
<dt>${r.ends}</dt><dd>${date(ctx, reg.endsAt)}</dd>
<dt>${r.contact}</dt><dd>${reg.contact.name}, ${reg.contact.email}, ${reg.contact.phone}</dd>
<dt>${t.audit.outcome}</dt><dd>${t.status[reg.status] ?? reg.status}${reg.endReason ? ` (${r.reasons[reg.endReason] ?? reg.endReason})` : ''}</dd>
</dl>`,
    reg.matchId ? html`<p><a class="utrecht-link" href="/matches/${reg.matchId}">${r.match}</a></p>` : '',
    active
      ? html`<h2 class="utrecht-heading-2">${r.extend}</h2>${postForm(
          ctx,
          `/registrations/${reg.id}/extend`,
          [
            field(
              'extend-days',
              r.extendBy,
              selectWithId('extend-days', 'durationDays', [
                ['365', t.register.durationMonths(12)],
                ['547', t.register.durationMonths(18)],
                ['730', t.register.durationMonths(24)],
              ]),
            ),
            button(r.extend, 'secondary'),
          ],
        )}
<h2 class="utrecht-heading-2">${r.withdraw}</h2>${postForm(ctx, `/registrations/${reg.id}/withdraw`, [
          field(
            'withdraw-reason',
            r.withdrawReason,
            selectWithId('withdraw-reason', 'reason', Object.entries(r.reasons)),
          ),
          button(r.withdraw, 'secondary'),
        ])}`
      : '',
    reg.historyAvailable || state.history
      ? html`<h2 class="utrecht-heading-2">${r.history}</h2><p class="utrecht-paragraph">${r.historyIntro}</p>${postForm(
          ctx,
          `/registrations/${reg.id}/history`,
          [
            field(
              'history-purpose',
              r.purpose,
              selectWithId('history-purpose', 'purpose', Object.entries(r.purposes)),
            ),
            button(r.history, 'secondary'),
          ],
        )}${
          state.history
            ? state.history.length === 0
              ? alert('info', r.historyNone)
              : table(
                  [t.matches.organisation, t.register.kind, r.historyPeriod, t.matches.contact],
                  state.history.map((h) => [
                    h.organisation.name,
                    t.kind[h.kind] ?? h.kind,
                    `${date(ctx, h.period.from)} – ${date(ctx, h.period.to)}`,
                    `${h.contact.name}, ${h.contact.email}, ${h.contact.phone}`,
                  ]),
                )
            : ''
        }`
      : '',
  ])
}

/** A select whose id differs from its name (several forms on one page post the same field name). */
export function selectWithId(id: string, name: string, options: [string, string][]) {
  return html`<select class="utrecht-select utrecht-select--html-select" id="${id}" name="${name}">${options.map(
    ([value, label]) => html`<option value="${value}">${label}</option>`,
  )}</select>`
}
