import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, must, type Problem } from '../api/http.js'
import type { ConsoleContext } from '../app.js'
import {
  type AddressForm,
  type ExcludedAddressesState,
  emptyAddressForm,
  excludedAddressesPage,
} from '../pages/excluded-addresses.js'
import { fieldErrors, formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { callerOf, send } from './registrations.js'

const admin = ['admin'] as const
type Query = { Querystring: { cursor?: string; saved?: string } }

const addressOf = (body: unknown) => ({
  postcode: formValue(body, 'postcode'),
  houseNumber: formValue(body, 'houseNumber'),
})

/** A refusal the form shows at its fields (400); anything else is the error page. */
function formProblem(problem: Problem, values: Record<string, string>): AddressForm {
  if (problem.status !== 400) throw new ApiError(problem)
  const { fields, general } = fieldErrors(problem)
  return { values, errors: fields, general }
}

/** The administrator's register of excluded addresses, through match-service's API. */
export async function excludedAddressRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: Partial<ExcludedAddressesState>,
    status = 200,
  ) => {
    const { cursor } = request.query as Query['Querystring']
    const page = await must(api.match.excludedAddresses(callerOf(request), { limit: 50, cursor }))
    return send(
      reply,
      excludedAddressesPage(contextOf(request), {
        items: page.items,
        nextCursor: page.nextCursor,
        add: emptyAddressForm(),
        remove: emptyAddressForm(),
        ...state,
      }),
      status,
    )
  }

  app.get<Query>('/excluded-addresses', { config: { access: admin } }, async (request, reply) => {
    const x = contextOf(request).t.excludedAddresses
    const notices: Record<string, string> = { added: x.added, exists: x.exists, removed: x.removed }
    return render(request, reply, { notice: notices[request.query.saved ?? ''] })
  })

  app.post('/excluded-addresses', { config: { access: admin } }, async (request, reply) => {
    const values = addressOf(request.body)
    const result = await api.match.excludeAddress(callerOf(request), values)
    if (!result.ok) return render(request, reply, { add: formProblem(result.problem, values) }, 400)
    return reply.redirect(`/excluded-addresses?saved=${result.status === 201 ? 'added' : 'exists'}`, 303)
  })

  app.post('/excluded-addresses/remove', { config: { access: admin } }, async (request, reply) => {
    const values = addressOf(request.body)
    const result = await api.match.includeAddress(callerOf(request), values)
    if (!result.ok) {
      const remove =
        result.problem.status === 404
          ? { values, errors: {}, general: contextOf(request).t.excludedAddresses.notListed }
          : formProblem(result.problem, values)
      return render(request, reply, { remove }, result.problem.status === 404 ? 404 : 400)
    }
    return reply.redirect('/excluded-addresses?saved=removed', 303)
  })
}
