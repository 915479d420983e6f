import type { FastifyInstance, FastifyRequest } from 'fastify'
import { must } from '../api/http.js'
import type { Organisation } from '../api/index.js'
import type { ConsoleContext } from '../app.js'
import { fieldErrors, formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { type OrganisationForm, organisationFormPage, organisationsPage } from '../pages/organisations.js'
import { callerOf, send } from './registrations.js'

const admin = ['admin'] as const
const FIELDS = ['id', 'name', 'sector', 'region', 'email', 'mayCoordinate'] as const

const valuesOf = (body: unknown) =>
  Object.fromEntries(FIELDS.map((name) => [name, formValue(body, name)])) as Record<string, string>

const valuesFrom = (o: Organisation): Record<string, string> => ({
  name: o.name,
  sector: o.sector,
  region: o.region,
  email: o.email,
  mayCoordinate: String(o.mayCoordinate),
})

/** The administrator's organisation pages: list, create, edit, deactivate, all through match-service's API. */
export async function organisationRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  const regionsOf = async (request: FastifyRequest) =>
    (await must(api.match.regions(callerOf(request)))).items

  app.get('/organisations', { config: { access: admin } }, async (request, reply) => {
    const page = await must(api.match.organisations(callerOf(request), { limit: 200 }))
    return send(reply, organisationsPage(contextOf(request), page.items))
  })

  app.get('/organisations/new', { config: { access: admin } }, async (request, reply) =>
    send(
      reply,
      organisationFormPage(contextOf(request), await regionsOf(request), { values: {}, errors: {} }),
    ),
  )

  app.post('/organisations/new', { config: { access: admin } }, async (request, reply) => {
    const values = valuesOf(request.body)
    const result = await api.match.createOrganisation(callerOf(request), {
      id: values.id ?? '',
      name: values.name ?? '',
      sector: values.sector ?? '',
      region: values.region ?? '',
      email: values.email ?? '',
      ...(values.mayCoordinate ? { mayCoordinate: values.mayCoordinate === 'true' } : {}),
    })
    if (!result.ok) {
      if (result.problem.status === 401 || result.problem.status === 403 || result.problem.status >= 500)
        await must(Promise.resolve(result))
      const { fields, general } = fieldErrors(result.problem)
      const form: OrganisationForm = { values, errors: fields, general }
      return send(reply, organisationFormPage(contextOf(request), await regionsOf(request), form), 400)
    }
    return reply.redirect(`/organisations/${result.value.id}?saved=1`, 303)
  })

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>(
    '/organisations/:id',
    { config: { access: admin } },
    async (request, reply) => {
      const page = contextOf(request)
      const organisation = await must(api.match.organisation(callerOf(request), request.params.id))
      const notice =
        request.query.saved === 'deactivated'
          ? page.t.organisations.deactivated
          : request.query.saved
            ? page.t.organisations.saved
            : undefined
      const form: OrganisationForm = {
        values: valuesFrom(organisation),
        errors: {},
        ...(notice ? { notice } : {}),
      }
      return send(reply, organisationFormPage(page, await regionsOf(request), form, organisation))
    },
  )

  app.post<{ Params: { id: string } }>(
    '/organisations/:id',
    { config: { access: admin } },
    async (request, reply) => {
      const caller = callerOf(request)
      const organisation = await must(api.match.organisation(caller, request.params.id))
      const values = valuesOf(request.body)
      const result = await api.match.updateOrganisation(caller, organisation.id, {
        name: values.name ?? '',
        sector: values.sector ?? '',
        region: values.region ?? '',
        email: values.email ?? '',
        mayCoordinate: values.mayCoordinate === 'true',
      })
      if (!result.ok) {
        if (result.problem.status === 401 || result.problem.status === 403 || result.problem.status >= 500)
          await must(Promise.resolve(result))
        const { fields, general } = fieldErrors(result.problem)
        const form: OrganisationForm = { values, errors: fields, general }
        return send(
          reply,
          organisationFormPage(contextOf(request), await regionsOf(request), form, organisation),
          400,
        )
      }
      return reply.redirect(`/organisations/${organisation.id}?saved=1`, 303)
    },
  )

  app.post<{ Params: { id: string } }>(
    '/organisations/:id/deactivate',
    { config: { access: admin } },
    async (request, reply) => {
      await must(api.match.updateOrganisation(callerOf(request), request.params.id, { active: false }))
      return reply.redirect(`/organisations/${encodeURIComponent(request.params.id)}?saved=deactivated`, 303)
    },
  )
}
