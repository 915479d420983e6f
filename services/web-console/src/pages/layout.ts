import type { FastifyRequest } from 'fastify'
import { hasRole } from '../auth/claims.js'
import { type Html, html, type Part } from '../html.js'
import { type Lang, langOf, MESSAGES, type Messages } from '../i18n.js'

export interface PageContext {
  t: Messages
  lang: Lang
  csrf: string
  request: FastifyRequest
}

export function contextOf(request: FastifyRequest): PageContext {
  const lang = langOf(request.cookies.lang)
  return { t: MESSAGES[lang], lang, csrf: request.csrfToken, request }
}

/** A form that changes something: POST with the CSRF token (every form of the console). */
export function postForm(ctx: PageContext, action: string, body: Part, extra = ''): Html {
  return html`<form method="post" action="${action}" class="utrecht-form ${extra}" novalidate>
<input type="hidden" name="_csrf" value="${ctx.csrf}">${body}</form>`
}

/** A labelled field with its description and its error, tied together for screen readers. */
export function field(
  id: string,
  label: string,
  control: Html,
  options: { hint?: string | undefined; error?: string | undefined } = {},
): Html {
  return html`<div class="utrecht-form-field${options.error ? ' utrecht-form-field--invalid' : ''}">
<div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${label}</label></div>
${options.hint ? html`<div class="utrecht-form-field-description" id="${id}-hint">${options.hint}</div>` : ''}
${options.error ? html`<div class="utrecht-form-field-error-message" id="${id}-error">${options.error}</div>` : ''}
<div class="utrecht-form-field__input">${control}</div></div>`
}

export const describedBy = (id: string, options: { hint?: string | undefined; error?: string | undefined }) =>
  [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : ''].filter(Boolean).join(' ') ||
  undefined

export function select(
  id: string,
  options: [value: string, label: string][],
  selected?: string,
  attrs: { describedBy?: string | undefined; invalid?: boolean } = {},
): Html {
  return html`<select class="utrecht-select utrecht-select--html-select" id="${id}" name="${id}"${
    attrs.describedBy ? html` aria-describedby="${attrs.describedBy}"` : ''
  }${attrs.invalid ? html` aria-invalid="true"` : ''}>${options.map(
    ([value, label]) =>
      html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`,
  )}</select>`
}

export const button = (
  label: string,
  variant: 'primary' | 'secondary' = 'primary',
  name?: string,
  value?: string,
) =>
  html`<button type="submit" class="utrecht-button utrecht-button--${variant}-action"${
    name ? html` name="${name}" value="${value ?? ''}"` : ''
  }>${label}</button>`

export const alert = (kind: 'info' | 'ok' | 'warning' | 'error', text: string | Html) =>
  html`<div class="utrecht-alert utrecht-alert--${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><div class="utrecht-alert__message"><p class="utrecht-paragraph">${text}</p></div></div>`

export function table(head: string[], rows: (string | Html)[][], caption?: string): Html {
  return html`<div class="utrecht-table-container"><table class="utrecht-table utrecht-table--html-table">${
    caption ? html`<caption class="utrecht-table__caption">${caption}</caption>` : ''
  }<thead class="utrecht-table__header"><tr class="utrecht-table__row">${head.map(
    (h) => html`<th scope="col" class="utrecht-table__header-cell">${h}</th>`,
  )}</tr></thead><tbody class="utrecht-table__body">${rows.map(
    (row) =>
      html`<tr class="utrecht-table__row">${row.map((cell) => html`<td class="utrecht-table__cell">${cell}</td>`)}</tr>`,
  )}</tbody></table></div>`
}

export const dateTime = (ctx: PageContext, value: string | Date | null | undefined) =>
  value
    ? new Intl.DateTimeFormat(ctx.lang === 'en' ? 'en-GB' : 'nl-NL', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'Europe/Amsterdam',
      }).format(new Date(value))
    : '—'

export const date = (ctx: PageContext, value: string | Date | null | undefined) =>
  value
    ? new Intl.DateTimeFormat(ctx.lang === 'en' ? 'en-GB' : 'nl-NL', {
        dateStyle: 'long',
        timeZone: 'Europe/Amsterdam',
      }).format(new Date(value))
    : '—'

function navFor(ctx: PageContext): [string, string][] {
  const claims = ctx.request.session?.claims
  if (!claims) return []
  const n = ctx.t.nav
  if (hasRole(claims, 'professional')) {
    return [
      ['/', n.home],
      ['/registrations/new', n.register],
      ['/registrations', n.registrations],
      ['/matches', n.matches],
      ['/notifications', n.notifications],
    ]
  }
  const items: [string, string][] = []
  if (hasRole(claims, 'privacy_officer')) items.push(['/subjects', n.subjects])
  if (hasRole(claims, 'auditor')) items.push(['/audit', n.audit], ['/audit/chain', n.chain])
  if (hasRole(claims, 'org_auditor')) items.push(['/audit/organisation', n.orgAudit])
  if (hasRole(claims, 'admin'))
    items.push(
      ['/organisations', n.organisations],
      ['/regions', n.regions],
      ['/excluded-addresses', n.excludedAddresses],
    )
  if (hasRole(claims, 'policy_officer')) items.push(['/statistics', n.statistics])
  return items
}

/** The page around every view: skip link, header with navigation and the signed-in person, footer. */
export function layout(ctx: PageContext, title: string, body: Part): string {
  const { t } = ctx
  const claims = ctx.request.session?.claims
  const path = ctx.request.url.split('?')[0]
  const nav = navFor(ctx)
  return html`<!doctype html>
<html lang="${ctx.lang}" class="utrecht-theme">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${t.appName}</title>
<link rel="stylesheet" href="/assets/tokens.css">
<link rel="stylesheet" href="/assets/components.css">
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body class="utrecht-page utrecht-body">
<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#main">${t.skipLink}</a>
<header class="utrecht-page-header console-header">
<div class="console-bar">
<p class="console-brand">${t.appName}</p>
<div class="console-user">
${
  claims
    ? html`<span>${t.signedInAs} <strong>${claims.name ?? claims.sub}</strong>${claims.org ? html` (${claims.org})` : ''}</span>
${postForm(ctx, '/signout', button(t.signOut, 'secondary'), 'console-inline')}`
    : ''
}
<a class="utrecht-link" href="/language?to=${ctx.lang === 'en' ? 'nl' : 'en'}" lang="${ctx.lang === 'en' ? 'nl' : 'en'}" aria-label="${t.languageLabel}">${t.language}</a>
</div></div>
${
  nav.length
    ? html`<nav class="utrecht-nav-bar console-nav" aria-label="${t.appName}"><ul class="utrecht-nav-list">${nav.map(
        ([href, label]) =>
          html`<li class="utrecht-nav-list__item"><a class="utrecht-link utrecht-nav-list__link" href="${href}"${
            href === path ? html` aria-current="page"` : ''
          }>${label}</a></li>`,
      )}</ul></nav>`
    : ''
}
</header>
<main id="main" class="utrecht-page-content console-main">
<h1 class="utrecht-heading-1">${title}</h1>
${body}
</main>
<footer class="utrecht-page-footer console-footer"><p class="utrecht-paragraph">${t.footer}</p></footer>
</body>
</html>`.value
}
