/** The shapes of the services' answers the console reads (the OpenAPI documents have them in full). */
export interface OrganisationRef {
  id: string
  name: string
  sector: string
}
export interface Contact {
  name: string
  email: string
  phone: string
}
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
export type Kind = 'concern' | 'involvement'
export type CoordinationStatus = 'proposed' | 'accepted' | 'unassigned' | 'ended'

export interface Registration {
  id: string
  organisation: OrganisationRef
  kind: Kind
  status: 'active' | 'ended'
  createdAt: string
  endsAt: string
  endedAt: string | null
  endReason: string | null
  externalReference: string | null
  contact: Contact
  matchId?: string | null
  coordination?: {
    organisation: OrganisationRef | null
    status: CoordinationStatus
    dueAt: string | null
  } | null
  historyAvailable?: boolean
  household?: boolean
}

export interface Party {
  organisation: OrganisationRef
  contact: Contact
  kind: Kind
  since: string
  leftAt: string | null
  registrationId: string | null
}

export interface Coordination {
  organisation: OrganisationRef | null
  status: CoordinationStatus
  proposedAt: string
  dueAt: string | null
  acceptedAt: string | null
  ruleId: string | null
  escalationLevel: number
  pendingTransfer: { organisation: OrganisationRef; proposedAt: string } | null
  history: { at: string; event: string; organisation: string | null; reason: string | null }[]
}

export interface Match {
  id: string
  status: 'open' | 'closed'
  createdAt: string
  closedAt: string | null
  region: string | null
  parties: Party[]
  coordination: Coordination | null
  contacted: { organisation: OrganisationRef; at: string }[]
  households: { matchId: string | null; parties: Party[] }[]
}

export interface ArchivedRegistration {
  organisation: OrganisationRef
  contact: Contact
  kind: Kind
  period: { from: string; to: string }
}

export interface Organisation extends OrganisationRef {
  region: string
  email: string
  mayCoordinate: boolean
  active: boolean
}

export interface Notification {
  id: string
  eventType: string
  channel: string
  recipient: string
  status: string
  attempts: number
  createdAt: string
  matchId?: string | null
}

export interface SubjectLookup {
  held: boolean
  birthDate: string | null
  registrations: Registration[]
  matches: Match[]
}

export interface AuditEvent {
  id: number
  occurredAt: string
  service: string
  action: string
  outcome: 'success' | 'denied' | 'error'
  actor: { id: string | null; organisation: string | null; roles: string[]; onBehalfOf: string | null }
  resource?: { type: string | null; id: string | null }
  purpose?: string | null
  clientIp?: string | null
}

/** An address on the register of excluded addresses: only its keyed hash is kept. */
export interface ExcludedAddress {
  hash: string
  addedAt: string
}

export interface Region {
  code: string
  version: number
  document: Record<string, unknown>
  createdAt?: string
}

/** A month's figures: nested groups of counts (null: suppressed) and breakdowns (key → count). */
export interface StatisticsGroup {
  [name: string]: number | null | StatisticsGroup
}

export interface Statistics {
  region: string
  from: string
  to: string
  minCell: number
  months: ({ month: string } & StatisticsGroup)[]
  suppressed: string[]
}
