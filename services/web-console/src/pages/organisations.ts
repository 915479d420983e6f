import { SECTORS } from '@verwijsindex/shared'
import type { Organisation, Region } from '../api/index.js'
import { html } from '../html.js'
import {
  alert,
  button,
  describedBy,
  field,
  layout,
  type PageContext,
  postForm,
  select,
  table,
} from './layout.js'

/** The administrator's list of organisations. */
export function organisationsPage(ctx: PageContext, items: Organisation[], notice?: string): string {
  const o = ctx.t.organisations
  return layout(ctx, o.title, [
    notice ? alert('ok', notice) : '',
    html`<p><a class="utrecht-button-link utrecht-button-link--primary-action" href="/organisations/new">${o.new}</a></p>`,
    table(
      [o.id, o.name, o.sector, o.region, o.status],
      items.map((org) => [
        html`<a class="utrecht-link" href="/organisations/${org.id}">${org.id}</a>`,
        org.name,
        ctx.t.labels.sectors[org.sector] ?? org.sector,
        org.region,
        org.active ? o.active : o.inactive,
      ]),
    ),
  ])
}

export interface OrganisationForm {
  values: Record<string, string>
  errors: Record<string, string>
  general?: string | null
  notice?: string
}

/** Create (no organisation yet) or edit an organisation; deactivation is its own form below the edit form. */
export function organisationFormPage(
  ctx: PageContext,
  regions: Region[],
  form: OrganisationForm,
  existing?: Organisation,
): string {
  const o = ctx.t.organisations
  const { values, errors } = form
  const input = (id: string, label: string, type = 'text', hint?: string) => {
    const by = describedBy(id, { hint, error: errors[id] })
    return field(
      id,
      label,
      html`<input class="utrecht-textbox utrecht-textbox--html-input" type="${type}" id="${id}" name="${id}" value="${values[id] ?? ''}"${
        by ? html` aria-describedby="${by}"` : ''
      }${errors[id] ? html` aria-invalid="true"` : ''}>`,
      { hint, error: errors[id] },
    )
  }
  const choose = (id: string, label: string, options: [string, string][]) =>
    field(
      id,
      label,
      select(id, options, values[id], {
        describedBy: describedBy(id, { error: errors[id] }),
        invalid: Boolean(errors[id]),
      }),
      { error: errors[id] },
    )
  const action = existing ? `/organisations/${existing.id}` : '/organisations/new'
  return layout(ctx, existing ? `${o.edit}: ${existing.name}` : o.new, [
    form.notice ? alert('ok', form.notice) : '',
    Object.keys(errors).length || form.general ? alert('error', form.general ?? ctx.t.errors.fix) : '',
    postForm(ctx, action, [
      existing ? '' : input('id', o.id, 'text', o.idHint),
      input('name', o.name),
      choose(
        'sector',
        o.sector,
        SECTORS.map((s) => [s, ctx.t.labels.sectors[s] ?? s]),
      ),
      choose(
        'region',
        o.region,
        regions.map((r) => [r.code, r.code]),
      ),
      input('email', o.email, 'email'),
      choose('mayCoordinate', o.mayCoordinate, [
        ...(existing ? [] : ([['', '—']] as [string, string][])),
        ['true', o.yes],
        ['false', o.no],
      ]),
      button(existing ? o.save : o.create),
    ]),
    existing?.active
      ? [
          html`<h2 class="utrecht-heading-2">${o.deactivate}</h2><p class="utrecht-paragraph">${o.deactivateIntro}</p>`,
          postForm(ctx, `/organisations/${existing.id}/deactivate`, button(o.deactivate, 'secondary')),
        ]
      : existing
        ? alert('info', o.inactive)
        : '',
  ])
}
