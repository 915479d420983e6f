/** Markup that is already safe: the result of `html`, or a fixed string of our own. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

export type Part = Html | string | number | boolean | null | undefined | Part[]

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return ''
  if (Array.isArray(part)) return part.map(render).join('')
  if (part instanceof Html) return part.value
  return escapeHtml(part)
}

/** Every interpolated value is escaped unless it is Html itself: pages cannot inject markup by mistake. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] as string
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string)
  })
  return new Html(out)
}
