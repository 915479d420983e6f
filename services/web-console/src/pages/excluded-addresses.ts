import type { ExcludedAddress } from '../api/index.js'
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
  table,
} from './layout.js'

export interface AddressForm {
  values: Record<string, string>
  /** By field name (`postcode`, `houseNumber`), as the API's problem points at them. */
  errors: Record<string, string>
  general?: string | null
}

export interface ExcludedAddressesState {
  items: ExcludedAddress[]
  nextCursor: string | null
  notice?: string | undefined
  add: AddressForm
  remove: AddressForm
}

export const emptyAddressForm = (): AddressForm => ({ values: {}, errors: {} })

/**
 * The administrator's register of excluded addresses: what is on it (hashes only, since the addresses are
 * not kept), a form to add one, and a form to remove one by typing it again.
 */
export function excludedAddressesPage(ctx: PageContext, state: ExcludedAddressesState): string {
  const x = ctx.t.excludedAddresses
  const fields = (prefix: string, form: AddressForm) =>
    (
      [
        ['postcode', x.postcode, x.postcodeHint],
        ['houseNumber', x.houseNumber, x.houseNumberHint],
      ] as const
    ).map(([name, label, hint]) => {
      const id = `${prefix}${name}`
      const error = form.errors[name]
      const by = describedBy(id, { hint, error })
      return field(
        id,
        label,
        html`<input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="${id}" name="${name}" value="${form.values[name] ?? ''}" autocomplete="off"${
          by ? html` aria-describedby="${by}"` : ''
        }${error ? html` aria-invalid="true"` : ''}>`,
        { hint, error },
      )
    })
  const problems = (form: AddressForm) =>
    Object.keys(form.errors).length || form.general ? alert('error', form.general ?? ctx.t.errors.fix) : ''
  return layout(ctx, x.title, [
    state.notice ? alert('ok', state.notice) : '',
    html`<p class="utrecht-paragraph console-lead">${x.intro}</p><p class="utrecht-paragraph">${x.hashOnly}</p>`,
    html`<section class="console-section" aria-labelledby="add-heading"><h2 class="utrecht-heading-2" id="add-heading">${x.add}</h2>`,
    problems(state.add),
    postForm(ctx, '/excluded-addresses', [...fields('', state.add), button(x.submitAdd)]),
    html`</section><section class="console-section" aria-labelledby="list-heading"><h2 class="utrecht-heading-2" id="list-heading">${x.list}</h2>`,
    state.items.length
      ? table(
          [x.hash, x.addedAt],
          state.items.map((a) => [
            html`<code class="console-hash">${a.hash}</code>`,
            dateTime(ctx, a.addedAt),
          ]),
        )
      : html`<p class="utrecht-paragraph">${x.none}</p>`,
    state.nextCursor
      ? html`<p class="utrecht-paragraph"><a class="utrecht-link" href="/excluded-addresses?cursor=${state.nextCursor}">${x.more}</a></p>`
      : '',
    html`</section><section class="console-section" aria-labelledby="remove-heading"><h2 class="utrecht-heading-2" id="remove-heading">${x.remove}</h2><p class="utrecht-paragraph">${x.removeIntro}</p>`,
    problems(state.remove),
    postForm(ctx, '/excluded-addresses/remove', [
      ...fields('remove-', state.remove),
      button(x.submitRemove, 'secondary'),
    ]),
    html`</section>`,
  ])
}
