import type { AuditEvent, Page, SubjectLookup } from '../api/index.js'
import { html } from '../html.js'
import {
  alert,
  button,
  date,
  dateTime,
  describedBy,
  field,
  layout,
  type PageContext,
  postForm,
  table,
} from './layout.js'
import { selectWithId } from './registrations.js'

/** The BSN travels only in POST bodies: the field of the lookup form, and hidden fields of the follow-ups. */
const bsnInput = (ctx: PageContext, error?: string, value = '') => {
  const s = ctx.t.subjects
  const by = describedBy('bsn', { hint: s.bsnHint, error })
  return field(
    'bsn',
    s.bsn,
    html`<input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="bsn" name="bsn" value="${value}" inputmode="numeric" autocomplete="off" maxlength="9" data-bsn data-bsn-message="${ctx.t.register.bsnInvalid}"${
      by ? html` aria-describedby="${by}"` : ''
    }${error ? html` aria-invalid="true"` : ''} required>`,
    { hint: s.bsnHint, error },
  )
}
const hiddenBsn = (bsn: string) => html`<input type="hidden" name="bsn" value="${bsn}">`

/** The privacy officer's lookup form (a parent's or young person's request). */
export function subjectLookupPage(ctx: PageContext, state: { error?: string; value?: string } = {}): string {
  const s = ctx.t.subjects
  return layout(ctx, s.title, [
    state.error ? alert('error', ctx.t.errors.fix) : '',
    html`<p class="utrecht-paragraph console-lead">${s.intro}</p>`,
    postForm(ctx, '/subjects', [bsnInput(ctx, state.error, state.value), button(s.lookup)]),
  ])
}

/** Everything held on the child, who accessed it, and the PDF and erasure forms. */
export function subjectPage(
  ctx: PageContext,
  bsn: string,
  held: SubjectLookup,
  accesses: Page<AuditEvent>,
): string {
  const { t } = ctx
  const s = t.subjects
  const period = (from: string, to: string | null) => `${date(ctx, from)} – ${to ? date(ctx, to) : ''}`
  return layout(ctx, s.title, [
    postForm(ctx, '/subjects', [bsnInput(ctx, undefined, bsn), button(s.lookup, 'secondary')]),
    html`<h2 class="utrecht-heading-2">${s.held}</h2>`,
    held.held
      ? html`<dl class="console-facts"><dt>${s.birthDate}</dt><dd>${date(ctx, held.birthDate)}</dd></dl>`
      : alert('info', s.notHeld),
    html`<h3 class="utrecht-heading-3">${s.registrations}</h3>`,
    held.registrations.length === 0
      ? html`<p class="utrecht-paragraph">${s.none}</p>`
      : table(
          [s.organisation, s.kind, s.period, s.status, s.contact, s.household],
          held.registrations.map((r) => [
            r.organisation.name,
            t.kind[r.kind] ?? r.kind,
            period(r.createdAt, r.endedAt ?? r.endsAt),
            `${t.status[r.status] ?? r.status}${r.endReason ? ` (${t.registrations.reasons[r.endReason] ?? r.endReason})` : ''}`,
            `${r.contact.name}, ${r.contact.email}, ${r.contact.phone}`,
            r.household ? s.householdYes : s.householdNo,
          ]),
        ),
    html`<h3 class="utrecht-heading-3">${s.matches}</h3>`,
    held.matches.length === 0
      ? html`<p class="utrecht-paragraph">${s.none}</p>`
      : table(
          // Household links name other children's registrations: not this child's data, so not shown
          // here; each registration above says whether a (hashed) household address is held.
          [s.parties, s.period, s.coordinator, s.status],
          held.matches.map((m) => [
            m.parties.map((p) => p.organisation.name).join(', '),
            period(m.createdAt, m.closedAt),
            m.coordination?.organisation?.name ?? t.matches.noCoordinator,
            t.status[m.status] ?? m.status,
          ]),
        ),
    html`<h2 class="utrecht-heading-2">${s.accesses}</h2>`,
    accesses.items.length === 0
      ? html`<p class="utrecht-paragraph">${s.noAccesses}</p>`
      : table(
          [s.when, s.who, s.action, s.outcome],
          accesses.items.map((e) => [
            dateTime(ctx, e.occurredAt),
            [e.actor.organisation, e.actor.roles.map((r) => t.roles[r] ?? r).join(', '), e.actor.id]
              .filter(Boolean)
              .join(' · '),
            t.labels.auditActions[e.action] ?? e.action,
            t.audit.outcomes[e.outcome] ?? e.outcome,
          ]),
        ),
    accesses.nextCursor ? html`<p class="utrecht-paragraph">${s.moreAccesses}</p>` : '',
    postForm(ctx, '/subjects/report.pdf', [hiddenBsn(bsn), button(s.pdf, 'primary')]),
    held.held
      ? html`<h2 class="utrecht-heading-2">${s.erase}</h2>${postForm(ctx, '/subjects/erase', [
          hiddenBsn(bsn),
          field(
            'erase-reason',
            s.eraseReason,
            selectWithId('erase-reason', 'reason', Object.entries(s.eraseReasons)),
          ),
          button(s.erase, 'secondary'),
        ])}`
      : '',
  ])
}

/** The confirmation step before erasure: nothing is erased until this form is sent. */
export function eraseConfirmPage(ctx: PageContext, bsn: string, reason: string): string {
  const s = ctx.t.subjects
  return layout(ctx, s.confirmTitle, [
    alert('warning', s.confirmText),
    html`<dl class="console-facts"><dt>${s.eraseReason}</dt><dd>${s.eraseReasons[reason] ?? reason}</dd></dl>`,
    postForm(ctx, '/subjects/erase', [
      hiddenBsn(bsn),
      html`<input type="hidden" name="reason" value="${reason}"><input type="hidden" name="confirm" value="yes">`,
      button(s.confirm, 'primary'),
    ]),
    postForm(ctx, '/subjects', [hiddenBsn(bsn), button(s.cancel, 'secondary')]),
  ])
}

export function erasedPage(ctx: PageContext, erased: { registrations: number; matches: number }): string {
  const s = ctx.t.subjects
  return layout(ctx, s.title, [
    alert('ok', s.erased),
    html`<p class="utrecht-paragraph">${s.erasedCount(erased.registrations, erased.matches)}</p>`,
    html`<p class="utrecht-paragraph"><a class="utrecht-link" href="/subjects">${s.title}</a></p>`,
  ])
}
