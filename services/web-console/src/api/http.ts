/**
 * The console's one way to the services: their public HTTP APIs, with the signed-in person's own token.
 * It forwards the browser's address (X-Forwarded-For, believed only from the console's address, see
 * TRUSTED_PROXIES) and the request id, so the audit trail shows the person, the browser and the page.
 *
 * Every call of the console goes through the typed functions beside this file; when packages/client's
 * generated client lands, only this module changes.
 */
export interface Caller {
  /** The access token the services verify. */
  token: string
  /** The browser's address. */
  clientIp: string
  requestId: string
  userAgent?: string | undefined
}

export interface Problem {
  status: number
  code: string
  detail: string
  errors: { pointer: string; message: string }[]
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`)
  }
  get status() {
    return this.problem.status
  }
}

export type Result<T> = { ok: true; value: T; status: number } | { ok: false; problem: Problem }

export interface ApiBases {
  match: string
  notify: string
  audit: string
}

function headers(caller: Caller, body: boolean): Record<string, string> {
  return {
    authorization: `Bearer ${caller.token}`,
    'x-forwarded-for': caller.clientIp,
    'x-request-id': caller.requestId,
    accept: 'application/json',
    ...(caller.userAgent ? { 'user-agent': caller.userAgent } : {}),
    ...(body ? { 'content-type': 'application/json' } : {}),
  }
}

async function problemOf(response: Response): Promise<Problem> {
  const body = (await response.json().catch(() => ({}))) as Partial<Problem>
  return {
    status: response.status,
    code: body.code ?? 'unknown',
    detail: body.detail ?? response.statusText,
    errors: body.errors ?? [],
  }
}

export type Query = Record<string, string | number | undefined>

function withQuery(url: string, query: Query | undefined): string {
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `${url}?${text}` : url
}

/** One call; a problem answer becomes a Result the page can show at its field, not an exception. */
export async function call<T>(
  caller: Caller,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  options: { body?: unknown; query?: Query } = {},
): Promise<Result<T>> {
  const response = await fetch(withQuery(url, options.query), {
    method,
    headers: headers(caller, options.body !== undefined),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  })
  if (!response.ok) return { ok: false, problem: await problemOf(response) }
  if (response.status === 204) return { ok: true, value: undefined as T, status: 204 }
  return { ok: true, value: (await response.json()) as T, status: response.status }
}

/** A call whose failure the page does not handle itself (it becomes the error page). */
export async function must<T>(result: Promise<Result<T>>): Promise<T> {
  const r = await result
  if (!r.ok) throw new ApiError(r.problem)
  return r.value
}

/** A raw download (CSV, NDJSON), streamed through. */
export async function download(
  caller: Caller,
  url: string,
  query: Query,
  accept?: string,
): Promise<Response> {
  const response = await fetch(withQuery(url, query), {
    headers: { ...headers(caller, false), ...(accept ? { accept } : {}) },
  })
  if (!response.ok) throw new ApiError(await problemOf(response))
  return response
}
