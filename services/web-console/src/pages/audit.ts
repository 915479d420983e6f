import type { Checkpoint, Verification } from '../api/audit.js'
import type { AuditEvent, Page } from '../api/index.js'
import { html } from '../html.js'
import {
  alert,
  button,
  dateTime,
  describedBy,
  field,
  layout,
  type PageContext,
  postForm,
  select,
  table,
} from './layout.js'

/** The search form's fields, as they arrive in the query string and go back into the form. */
export const FILTERS = ['actor', 'organisation', 'action', 'outcome', 'from', 'to'] as const
export type Filters = Partial<Record<(typeof FILTERS)[number], string>>

export function eventsTable(ctx: PageContext, items: AuditEvent[]) {
  const a = ctx.t.audit
  return table(
    [a.when, a.actor, a.organisation, a.action, a.outcome, a.resource, a.address],
    items.map((e) => [
      dateTime(ctx, e.occurredAt),
      html`${e.actor.id ?? '—'}<br><small>${e.actor.roles.map((r) => ctx.t.roles[r] ?? r).join(', ')}</small>`,
      e.actor.organisation ?? '—',
      html`<code>${e.action}</code>${e.purpose ? html`<br><small>${a.purpose}: ${e.purpose}</small>` : ''}`,
      a.outcomes[e.outcome] ?? e.outcome,
      e.resource ? `${e.resource.type ?? ''} ${e.resource.id ?? ''}`.trim() : '—',
      e.clientIp ?? '—',
    ]),
  )
}

const query = (values: Record<string, string | undefined>) => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v)
  return params.toString()
}

/** The access log: a GET search form (bookmarkable; no BSN can be in it), results with cursor paging, export. */
export function auditPage(
  ctx: PageContext,
  filters: Filters,
  result: Page<AuditEvent> | null,
  errors: Record<string, string>,
  general: string | null,
  options: { lockedOrganisation?: string; path?: string } = {},
): string {
  const a = ctx.t.audit
  const path = options.path ?? '/audit'
  const input = (id: keyof Filters, label: string, type = 'text', hint?: string) => {
    const by = describedBy(id, { hint, error: errors[id] })
    return field(
      id,
      label,
      html`<input class="utrecht-textbox utrecht-textbox--html-input" type="${type}" id="${id}" name="${id}" value="${filters[id] ?? ''}"${
        by ? html` aria-describedby="${by}"` : ''
      }${errors[id] ? html` aria-invalid="true"` : ''}>`,
      { hint, error: errors[id] },
    )
  }
  return layout(ctx, options.lockedOrganisation ? `${a.title} — ${options.lockedOrganisation}` : a.title, [
    Object.keys(errors).length || general ? alert('error', general ?? ctx.t.errors.fix) : '',
    options.lockedOrganisation ? html`<p class="utrecht-paragraph">${ctx.t.orgAudit.intro}</p>` : '',
    html`<form method="get" action="${path}" class="utrecht-form console-filters" role="search" aria-label="${a.filters}">`,
    input('actor', a.actor),
    options.lockedOrganisation ? '' : input('organisation', a.organisation, 'text', a.organisationHint),
    input('action', a.action, 'text', a.actionHint),
    field(
      'outcome',
      a.outcome,
      select('outcome', [['', a.any], ...Object.entries(a.outcomes)] as [string, string][], filters.outcome),
    ),
    input('from', a.from, 'date'),
    input('to', a.to, 'date'),
    button(a.search),
    html`</form>`,
    result
      ? [
          html`<h2 class="utrecht-heading-2">${a.results}</h2>`,
          result.items.length === 0 ? alert('info', a.none) : eventsTable(ctx, result.items),
          result.nextCursor
            ? html`<p><a class="utrecht-link" href="${path}?${query({ ...filters, cursor: result.nextCursor })}">${a.next}</a></p>`
            : '',
        ]
      : '',
    html`<h2 class="utrecht-heading-2">${a.exportTitle}</h2><p class="utrecht-paragraph">${a.exportIntro}</p>
<p><a class="utrecht-link" href="/audit/export?${query({ ...filters, format: 'csv' })}" download>${a.exportCsv}</a> ·
<a class="utrecht-link" href="/audit/export?${query({ ...filters, format: 'ndjson' })}" download>${a.exportNdjson}</a></p>`,
    options.lockedOrganisation
      ? ''
      : html`<h2 class="utrecht-heading-2">${a.subjectReport}</h2>
<p><a class="utrecht-link" href="/audit/subject">${a.subjectReport}</a></p>`,
  ])
}

/** The auditor's subject report: the BSN posted, the report shown. */
export function auditSubjectPage(
  ctx: PageContext,
  state: { error?: string; value?: string; report?: Page<AuditEvent> },
): string {
  const a = ctx.t.audit
  const s = ctx.t.subjects
  const by = describedBy('bsn', { hint: s.bsnHint, error: state.error })
  return layout(ctx, a.subjectReport, [
    state.error ? alert('error', ctx.t.errors.fix) : '',
    html`<p class="utrecht-paragraph">${a.subjectReportIntro}</p>`,
    postForm(ctx, '/audit/subject', [
      field(
        'bsn',
        s.bsn,
        html`<input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="bsn" name="bsn" value="${state.value ?? ''}" inputmode="numeric" autocomplete="off" maxlength="9" data-bsn data-bsn-message="${ctx.t.register.bsnInvalid}"${
          by ? html` aria-describedby="${by}"` : ''
        }${state.error ? html` aria-invalid="true"` : ''}>`,
        { hint: s.bsnHint, error: state.error },
      ),
      button(s.lookup),
    ]),
    state.report
      ? state.report.items.length === 0
        ? alert('info', s.noAccesses)
        : [
            eventsTable(ctx, state.report.items),
            state.report.nextCursor ? html`<p class="utrecht-paragraph">${s.moreAccesses}</p>` : '',
          ]
      : '',
  ])
}

/** The hash chain's verification and the latest signed checkpoints. */
export function chainPage(
  ctx: PageContext,
  verification: Verification,
  checkpoints: { keyId: string; publicKey: string; items: Checkpoint[] },
): string {
  const c = ctx.t.chain
  return layout(ctx, c.title, [
    alert(verification.ok ? 'ok' : 'error', verification.ok ? c.ok : c.broken),
    html`<dl class="console-facts">
<dt>${c.checked}</dt><dd>${verification.checked}</dd>
<dt>${c.verified}</dt><dd>${verification.checkpointsVerified}</dd>
<dt>${c.unsealed}</dt><dd>${verification.unsealed}</dd>
<dt>${c.head}</dt><dd><code class="console-hash">${verification.head.hash}</code></dd>
${
  verification.firstBreak
    ? html`<dt>${c.firstBreak}</dt><dd>${verification.firstBreak.seq ?? '—'}: ${verification.firstBreak.reason} — ${verification.firstBreak.detail}</dd>`
    : ''
}</dl>`,
    html`<h2 class="utrecht-heading-2">${c.checkpoints}</h2>`,
    checkpoints.items.length === 0
      ? alert('info', ctx.t.audit.none)
      : table(
          [c.sealedAt, c.kind, c.count, c.head, c.key],
          checkpoints.items.map((p) => [
            dateTime(ctx, p.sealedAt),
            c.kinds[p.kind] ?? p.kind,
            String(p.count),
            html`<code class="console-hash">${p.head}</code>`,
            p.keyId,
          ]),
        ),
    html`<h2 class="utrecht-heading-2">${c.publicKey}</h2><pre class="console-key">${checkpoints.publicKey}</pre>`,
  ])
}
