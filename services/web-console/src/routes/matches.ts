import type { FastifyInstance } from 'fastify'
import type { Result } from '../api/http.js'
import { must } from '../api/http.js'
import type { Match } from '../api/index.js'
import type { ConsoleContext } from '../app.js'
import { formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { matchesPage, matchPage } from '../pages/matches.js'
import { callerOf, send } from './registrations.js'

const professional = ['professional'] as const
const ACTIONS = ['accept', 'decline', 'transfer', 'contacted', 'escalate'] as const

/** The professional's matches: who else is involved, who coordinates, and the actions the API offers. */
export async function matchRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  app.get<{ Querystring: { cursor?: string } }>(
    '/matches',
    { config: { access: professional } },
    async (request, reply) => {
      const list = await must(
        api.match.matches(callerOf(request), { cursor: request.query.cursor, limit: 50 }),
      )
      return send(reply, matchesPage(contextOf(request), list))
    },
  )

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/matches/:id',
    { config: { access: professional } },
    async (request, reply) => {
      const match = await must(api.match.match(callerOf(request), request.params.id))
      return send(reply, matchPage(contextOf(request), match, { done: request.query.done === '1' }))
    },
  )

  app.post<{ Params: { id: string; action: string } }>(
    '/matches/:id/:action',
    { config: { access: professional } },
    async (request, reply) => {
      const { id, action } = request.params
      const caller = callerOf(request)
      if (!(ACTIONS as readonly string[]).includes(action)) return reply.callNotFound()
      const body = request.body
      let result: Result<Match>
      if (action === 'accept') result = await api.match.accept(caller, id)
      else if (action === 'decline') result = await api.match.decline(caller, id, formValue(body, 'reason'))
      else if (action === 'transfer')
        result = await api.match.transfer(caller, id, formValue(body, 'organisation'))
      else if (action === 'contacted') result = await api.match.contacted(caller, id)
      else result = await api.match.escalate(caller, id, formValue(body, 'reason'))
      if (result.ok) return reply.redirect(`/matches/${id}?done=1`, 303)
      const match = await must(api.match.match(caller, id))
      return send(
        reply,
        matchPage(contextOf(request), match, { problem: result.problem }),
        result.problem.status === 404 ? 404 : 400,
      )
    },
  )
}
