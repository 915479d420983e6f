import type { Problem } from '../api/index.js'

/** The API's problem, as messages at the form's fields: `/bsn` belongs to the field `bsn`. */
export function fieldErrors(problem: Problem): { fields: Record<string, string>; general: string | null } {
  const fields: Record<string, string> = {}
  for (const e of problem.errors) {
    const name = e.pointer.split('/')[1] ?? ''
    if (name && !fields[name]) fields[name] = e.message
  }
  return { fields, general: Object.keys(fields).length ? null : problem.detail }
}

/** One value of a urlencoded form: a string, or '' when absent or repeated. */
export const formValue = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value.trim() : ''
}
