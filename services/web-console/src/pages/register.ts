import { html } from '../html.js'
import { alert, button, describedBy, field, layout, type PageContext, postForm, select } from './layout.js'

export type RegisterValues = Partial<
  Record<'bsn' | 'birthDate' | 'kind' | 'durationDays' | 'externalReference', string>
>

const DURATIONS: [months: number, days: number][] = [
  [6, 182],
  [12, 365],
  [18, 547],
  [24, 730],
]

/** Registering a child: only the fields the law allows, no free text; the BSN checked as it is typed. */
export function registerPage(
  ctx: PageContext,
  values: RegisterValues,
  errors: Record<string, string>,
  general?: string | null,
): string {
  const { t } = ctx
  const r = t.register
  const input = (id: keyof RegisterValues, type: string, hint?: string, extra = html``) => {
    const by = describedBy(id, { hint, error: errors[id] })
    return field(
      id,
      (r as Record<string, unknown>)[id === 'externalReference' ? 'reference' : id] as string,
      html`<input class="utrecht-textbox utrecht-textbox--html-input" type="${type}" id="${id}" name="${id}" value="${values[id] ?? ''}"${
        by ? html` aria-describedby="${by}"` : ''
      }${errors[id] ? html` aria-invalid="true"` : ''}${extra}>`,
      { hint, error: errors[id] },
    )
  }
  const kindError = errors.kind
  return layout(ctx, r.title, [
    Object.keys(errors).length || general ? alert('error', general ?? t.errors.fix) : '',
    html`<p class="utrecht-paragraph console-lead">${r.thatNotWhat}</p>`,
    postForm(ctx, '/registrations/new', [
      input(
        'bsn',
        'text',
        r.bsnHint,
        html` inputmode="numeric" autocomplete="off" maxlength="9" data-bsn data-bsn-message="${r.bsnInvalid}" required`,
      ),
      input('birthDate', 'date', undefined, html` required`),
      html`<fieldset class="utrecht-form-fieldset"${kindError ? html` aria-describedby="kind-error"` : ''}><legend class="utrecht-form-fieldset__legend">${r.kind}</legend>
${kindError ? html`<div class="utrecht-form-field-error-message" id="kind-error">${kindError}</div>` : ''}
${(['concern', 'involvement'] as const).map(
  (kind) =>
    html`<div class="utrecht-form-field utrecht-form-field--radio"><input class="utrecht-radio-button" type="radio" id="kind-${kind}" name="kind" value="${kind}"${
      values.kind === kind ? html` checked` : ''
    }> <label class="utrecht-form-label utrecht-form-label--radio" for="kind-${kind}">${kind === 'concern' ? r.kindConcern : r.kindInvolvement}</label></div>`,
)}</fieldset>`,
      field(
        'durationDays',
        r.duration,
        select(
          'durationDays',
          [
            ['', r.durationDefault],
            ...DURATIONS.map(([m, days]): [string, string] => [String(days), r.durationMonths(m)]),
          ],
          values.durationDays,
          {
            describedBy: errors.durationDays ? 'durationDays-error' : undefined,
            invalid: Boolean(errors.durationDays),
          },
        ),
        { error: errors.durationDays },
      ),
      input(
        'externalReference',
        'text',
        r.referenceHint,
        html` autocomplete="off" maxlength="64" pattern="[A-Za-z0-9._:/\\-]{1,64}"`,
      ),
      button(r.submit),
    ]),
  ])
}
