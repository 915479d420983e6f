import type { Region } from '../api/index.js'
import { type Html, html } from '../html.js'
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

interface Line {
  text: string
  pointer: string
}

/** Pretty-printed JSON, one entry per line with the JSON Pointer of the value that line starts. */
function documentLines(value: unknown, pointer = '', indent = '', prefix = ''): Line[] {
  const escapeKey = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value as Record<string, unknown>)
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
    if (entries.length === 0) return [{ text: `${indent}${prefix}${open}${close}`, pointer }]
    const lines: Line[] = [{ text: `${indent}${prefix}${open}`, pointer }]
    entries.forEach(([key, child], i) => {
      const inner = documentLines(
        child,
        `${pointer}/${escapeKey(key)}`,
        `${indent}  `,
        Array.isArray(value) ? '' : `${JSON.stringify(key)}: `,
      )
      const last = inner[inner.length - 1] as Line
      if (i < entries.length - 1) last.text += ','
      lines.push(...inner)
    })
    lines.push({ text: `${indent}${close}`, pointer })
    return lines
  }
  return [{ text: `${indent}${prefix}${JSON.stringify(value)}`, pointer }]
}

/** The line an error's pointer belongs to: its own value's, or its nearest ancestor's (a missing key). */
function lineOf(lines: Line[], pointer: string): number {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = lines.findIndex((l) => l.pointer === p)
    if (found >= 0 || p === '') return Math.max(found, 0)
  }
}

/** The submitted document with each error right below the line it is about. */
function annotated(
  ctx: PageContext,
  document: unknown,
  errors: { pointer: string; message: string }[],
): Html {
  const lines = documentLines(document)
  const at = new Map<number, { pointer: string; message: string }[]>()
  for (const e of errors) {
    const n = lineOf(lines, e.pointer)
    at.set(n, [...(at.get(n) ?? []), e])
  }
  const r = ctx.t.regions
  return html`<h2 class="utrecht-heading-2" id="errors">${r.errorsAt}</h2>
<ol class="console-error-list">${errors.map((e) => html`<li><a class="utrecht-link" href="#line-${lineOf(lines, e.pointer) + 1}"><code>${e.pointer || '/'}</code></a>: ${e.message}</li>`)}</ol>
<div class="console-document" role="region" aria-labelledby="errors" tabindex="0"><ol class="console-document__lines">${lines.map(
    (line, i) =>
      html`<li id="line-${i + 1}"${at.has(i) ? html` class="console-document__line--invalid"` : ''}><code>${line.text}</code>${(
        at.get(i) ?? []
      ).map(
        (e) =>
          html`<div class="console-document__error"><strong>${r.at} <code>${e.pointer || '/'}</code>:</strong> ${e.message}</div>`,
      )}</li>`,
  )}</ol></div>`
}

/** The administrator's list of regions. */
export function regionsPage(ctx: PageContext, items: Region[]): string {
  const r = ctx.t.regions
  return layout(ctx, r.title, [
    table(
      [r.code, r.version, r.createdAt],
      items.map((region) => [
        html`<a class="utrecht-link" href="/regions/${region.code}">${region.code}</a>`,
        String(region.version),
        dateTime(ctx, region.createdAt),
      ]),
    ),
  ])
}

export interface RegionState {
  /** The version shown; `current` the region's latest. */
  shown: Region
  current: number
  notice?: string
  upload?: {
    text: string
    error?: string
    document?: unknown
    errors?: { pointer: string; message: string }[]
  }
  explain?: { text: string; error?: string; result?: Explanation }
}

export interface Explanation {
  coordinator: { organisation: { id: string; name: string } | null; sector: string } | null
  ruleId: string | null
  trace: { ruleId: string; reason: string }[]
}

const EXAMPLE_CASE =
  '{\n  "ageYears": 7,\n  "parties": [{ "sector": "police" }, { "sector": "school-social-work" }]\n}'

/** One region: the version shown, the list of versions, uploading a new one, explaining a case. */
export function regionPage(ctx: PageContext, state: RegionState): string {
  const r = ctx.t.regions
  const { shown, upload, explain } = state
  const versions = Array.from({ length: state.current }, (_, i) => state.current - i)
  const textarea = (id: string, label: string, value: string, error: string | undefined, hint: string) => {
    const by = describedBy(id, { hint, error })
    return field(
      id,
      label,
      html`<textarea class="utrecht-textarea utrecht-textarea--html-textarea console-json" id="${id}" name="${id}" rows="16" spellcheck="false"${
        by ? html` aria-describedby="${by}"` : ''
      }${error ? html` aria-invalid="true"` : ''}>${value}</textarea>`,
      { hint, error },
    )
  }
  const trace = explain?.result
  return layout(ctx, `${r.title}: ${shown.code}`, [
    state.notice ? alert('ok', state.notice) : '',
    upload?.error || upload?.errors?.length ? alert('error', ctx.t.errors.fix) : '',
    html`<h2 class="utrecht-heading-2">${r.current} (${r.version} ${shown.version})</h2>
<p class="utrecht-paragraph">${r.createdAt}: ${dateTime(ctx, shown.createdAt)}</p>
<pre class="console-pre" tabindex="0">${JSON.stringify(shown.document, null, 2)}</pre>
<h2 class="utrecht-heading-2">${r.versions}</h2>
<ul class="utrecht-unordered-list">${versions.map(
      (v) =>
        html`<li>${v === shown.version ? html`<strong>${r.version} ${v}</strong>` : html`<a class="utrecht-link" href="/regions/${shown.code}?version=${v}">${r.version} ${v}</a>`}</li>`,
    )}</ul>
<h2 class="utrecht-heading-2">${r.upload}</h2>`,
    upload?.errors?.length ? annotated(ctx, upload.document, upload.errors) : '',
    postForm(ctx, `/regions/${shown.code}`, [
      textarea(
        'document',
        r.document,
        upload?.text ?? JSON.stringify(shown.document, null, 2),
        upload?.error ?? (upload?.errors?.length ? r.errorsAt : undefined),
        r.uploadIntro,
      ),
      button(r.submit),
    ]),
    html`<h2 class="utrecht-heading-2">${r.explain}</h2>`,
    postForm(ctx, `/regions/${shown.code}/explain`, [
      textarea('case', r.case, explain?.text ?? EXAMPLE_CASE, explain?.error, r.explainIntro),
      button(r.explainSubmit, 'secondary'),
    ]),
    trace
      ? html`<h3 class="utrecht-heading-3" id="outcome">${r.outcome}</h3>
<p class="utrecht-paragraph">${
          trace.coordinator
            ? `${trace.coordinator.organisation?.name ?? trace.coordinator.sector}${trace.ruleId ? ` (${trace.ruleId})` : ''}`
            : '—'
        }</p>
${table(
  ['#', r.trace, ''],
  trace.trace.map((step, i) => [String(i + 1), html`<code>${step.ruleId}</code>`, step.reason]),
  r.trace,
)}`
      : '',
  ])
}
