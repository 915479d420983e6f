import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { must } from '../api/http.js'
import { ApiError, type Caller, type Problem } from '../api/index.js'
import type { ConsoleContext } from '../app.js'
import { hasRole } from '../auth/claims.js'
import { fieldErrors, formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { notificationsPage } from '../pages/notifications.js'
import { type RegisterValues, registerPage } from '../pages/register.js'
import { registrationPage, registrationsPage } from '../pages/registrations.js'
import { todoPage } from '../pages/todo.js'

const professional = ['professional'] as const
export const callerOf = (request: FastifyRequest): Caller =>
  (request.session as NonNullable<FastifyRequest['session']>).caller
const send = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html').send(body)

/** The professional's pages: what needs action, registering a child, their registrations, notifications. */
export async function registrationRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  app.get('/', async (request, reply) => {
    const claims = request.session?.claims
    if (claims && !hasRole(claims, 'professional')) {
      const first = hasRole(claims, 'privacy_officer')
        ? '/subjects'
        : hasRole(claims, 'auditor')
          ? '/audit'
          : hasRole(claims, 'org_auditor')
            ? '/audit/organisation'
            : hasRole(claims, 'policy_officer')
              ? '/statistics'
              : '/organisations'
      return reply.redirect(first, 303)
    }
    const matches = await must(api.match.matches(callerOf(request), { status: 'open', limit: 200 }))
    return send(reply, todoPage(contextOf(request), matches.items))
  })

  app.get('/registrations/new', { config: { access: professional } }, async (request, reply) =>
    send(reply, registerPage(contextOf(request), {}, {})),
  )

  app.post('/registrations/new', { config: { access: professional } }, async (request, reply) => {
    const page = contextOf(request)
    const values: RegisterValues = {
      bsn: formValue(request.body, 'bsn'),
      birthDate: formValue(request.body, 'birthDate'),
      kind: formValue(request.body, 'kind'),
      durationDays: formValue(request.body, 'durationDays'),
      externalReference: formValue(request.body, 'externalReference'),
    }
    const missing: Record<string, string> = {}
    for (const name of ['bsn', 'birthDate', 'kind'] as const)
      if (!values[name]) missing[name] = page.t.errors.required
    if (Object.keys(missing).length) return send(reply, registerPage(page, values, missing), 400)
    const result = await api.match.register(callerOf(request), {
      bsn: values.bsn as string,
      birthDate: values.birthDate as string,
      kind: values.kind as 'concern' | 'involvement',
      ...(values.durationDays ? { durationDays: Number(values.durationDays) } : {}),
      ...(values.externalReference ? { externalReference: values.externalReference } : {}),
    })
    if (!result.ok)
      return failed(reply, result.problem, (errors, general) => registerPage(page, values, errors, general))
    return reply.redirect(`/registrations/${result.value.id}?done=registered`, 303)
  })

  app.get<{ Querystring: { cursor?: string } }>(
    '/registrations',
    { config: { access: professional } },
    async (request, reply) => {
      const list = await must(
        api.match.registrations(callerOf(request), { cursor: request.query.cursor, limit: 50 }),
      )
      return send(reply, registrationsPage(contextOf(request), list))
    },
  )

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/registrations/:id',
    { config: { access: professional } },
    async (request, reply) => {
      const registration = await must(api.match.registration(callerOf(request), request.params.id))
      return send(reply, registrationPage(contextOf(request), registration, { done: request.query.done }))
    },
  )

  app.post<{ Params: { id: string } }>(
    '/registrations/:id/extend',
    { config: { access: professional } },
    async (request, reply) => {
      const days = Number(formValue(request.body, 'durationDays'))
      const result = await api.match.extend(callerOf(request), request.params.id, days)
      return afterAction(request, reply, result.ok ? null : result.problem, 'saved')
    },
  )

  app.post<{ Params: { id: string } }>(
    '/registrations/:id/withdraw',
    { config: { access: professional } },
    async (request, reply) => {
      const result = await api.match.withdraw(
        callerOf(request),
        request.params.id,
        formValue(request.body, 'reason'),
      )
      return afterAction(request, reply, result.ok ? null : result.problem, 'saved')
    },
  )

  app.post<{ Params: { id: string } }>(
    '/registrations/:id/history',
    { config: { access: professional } },
    async (request, reply) => {
      const caller = callerOf(request)
      const result = await api.match.history(caller, request.params.id, formValue(request.body, 'purpose'))
      if (!result.ok) return afterAction(request, reply, result.problem, 'saved')
      const registration = await must(api.match.registration(caller, request.params.id))
      return send(reply, registrationPage(contextOf(request), registration, { history: result.value.items }))
    },
  )

  async function afterAction(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    problem: Problem | null,
    done: string,
  ) {
    const registration = await must(api.match.registration(callerOf(request), request.params.id))
    if (!problem) return reply.redirect(`/registrations/${registration.id}?done=${done}`, 303)
    return send(
      reply,
      registrationPage(contextOf(request), registration, { problem }),
      problem.status === 404 ? 404 : 400,
    )
  }

  app.get<{ Querystring: { cursor?: string } }>(
    '/notifications',
    { config: { access: professional } },
    async (request, reply) => {
      const list = await must(
        api.notify.notifications(callerOf(request), { cursor: request.query.cursor, limit: 50 }),
      )
      return send(reply, notificationsPage(contextOf(request), list))
    },
  )
}

/** A refused form comes back with the API's messages at their fields (4xx); anything else is an error page. */
export function failed(
  reply: FastifyReply,
  problem: Problem,
  render: (errors: Record<string, string>, general: string | null) => string,
) {
  if (problem.status === 401 || problem.status === 403 || problem.status >= 500) throw new ApiError(problem)
  const { fields, general } = fieldErrors(problem)
  return send(reply, render(fields, general), problem.status === 404 ? 404 : 400)
}
export { send }
