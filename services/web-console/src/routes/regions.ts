import type { FastifyInstance } from 'fastify'
import { must } from '../api/http.js'
import type { Region } from '../api/index.js'
import type { ConsoleContext } from '../app.js'
import { formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { type Explanation, type RegionState, regionPage, regionsPage } from '../pages/regions.js'
import { callerOf, send } from './registrations.js'

const admin = ['admin'] as const
type Params = { Params: { code: string } }

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}

/** The administrator's region pages: the document and its versions, uploading a version, explaining a case. */
export async function regionRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  const load = async (request: Parameters<typeof callerOf>[0], code: string, version?: number) => {
    const caller = callerOf(request)
    const current = await must(api.match.region(caller, code))
    const shown: Region =
      version && version !== current.version ? await must(api.match.region(caller, code, version)) : current
    return { shown, current: current.version }
  }

  app.get('/regions', { config: { access: admin } }, async (request, reply) => {
    const page = await must(api.match.regions(callerOf(request)))
    return send(reply, regionsPage(contextOf(request), page.items))
  })

  app.get<Params & { Querystring: { version?: string; saved?: string } }>(
    '/regions/:code',
    { config: { access: admin } },
    async (request, reply) => {
      const page = contextOf(request)
      const version = Number(request.query.version)
      const state: RegionState = await load(
        request,
        request.params.code,
        Number.isInteger(version) && version > 0 ? version : undefined,
      )
      if (request.query.saved) state.notice = page.t.regions.uploaded
      return send(reply, regionPage(page, state))
    },
  )

  app.post<Params>('/regions/:code', { config: { access: admin } }, async (request, reply) => {
    const page = contextOf(request)
    const { code } = request.params
    const text = formValue(request.body, 'document')
    const parsed = parseJson(text)
    if (!parsed.ok) {
      const state = await load(request, code)
      const upload = { text, error: `${page.t.regions.invalidJson}: ${parsed.message}` }
      return send(reply, regionPage(page, { ...state, upload }), 400)
    }
    const result = await api.match.putRegion(callerOf(request), code, parsed.value)
    if (!result.ok) {
      if (result.problem.status !== 400 && result.problem.status !== 422) await must(Promise.resolve(result))
      const state = await load(request, code)
      const errors = result.problem.errors.length
        ? result.problem.errors
        : [{ pointer: '', message: result.problem.detail }]
      return send(
        reply,
        regionPage(page, { ...state, upload: { text, document: parsed.value, errors } }),
        400,
      )
    }
    return reply.redirect(`/regions/${encodeURIComponent(code)}?saved=1`, 303)
  })

  app.post<Params>('/regions/:code/explain', { config: { access: admin } }, async (request, reply) => {
    const page = contextOf(request)
    const { code } = request.params
    const text = formValue(request.body, 'case')
    const state = await load(request, code)
    const parsed = parseJson(text)
    if (!parsed.ok) {
      const explain = { text, error: `${page.t.regions.invalidJson}: ${parsed.message}` }
      return send(reply, regionPage(page, { ...state, explain }), 400)
    }
    const result = await api.match.explain(
      callerOf(request),
      code,
      parsed.value as Parameters<typeof api.match.explain>[2],
    )
    if (!result.ok) {
      if (result.problem.status !== 400 && result.problem.status !== 422) await must(Promise.resolve(result))
      const error =
        result.problem.errors.map((e) => `${e.pointer}: ${e.message}`).join('; ') || result.problem.detail
      return send(reply, regionPage(page, { ...state, explain: { text, error } }), 400)
    }
    const explain = { text, result: result.value as unknown as Explanation }
    return send(reply, regionPage(page, { ...state, explain }))
  })
}
