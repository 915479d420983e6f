import type { SharedTables } from '@verwijsindex/shared'
import type { ColumnType, Insertable, Selectable } from 'kysely'
import type { RegionDocument } from '../domain/region-document.js'

type Timestamp = ColumnType<Date, Date | string, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export interface RegionsTable {
  code: string
  currentVersion: number
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface RegionVersionsTable {
  code: string
  version: number
  document: ColumnType<RegionDocument, string, string>
  createdAt: Timestamp
  createdBy: string
}

export interface RegionMunicipalitiesTable {
  municipality: string
  code: string
}

export interface SubjectsTable {
  subjectKey: string
  birthDate: string
  createdAt: Timestamp
}

export interface RegistrationsTable {
  id: string
  subjectKey: string
  organisationId: string
  kind: 'concern' | 'involvement'
  status: 'active' | 'ended'
  createdAt: Timestamp
  endsAt: Timestamp
  endedAt: Timestamp | null
  endReason: string | null
  externalReference: string | null
  contactName: string
  contactEmail: string
  contactPhone: string
  municipality: string | null
  householdKey: string | null
  createdBy: string
  remindedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  /** When its household links start to show to it (one working day after it was made; docs/security.md). */
  householdVisibleAt: NullableTimestamp
  /** When its registrant was told of the household's earlier registrations; null: not yet. */
  householdToldAt: NullableTimestamp
  /** When its withdrawal was flagged as the pattern of probing an address. */
  probeSuspectedAt: NullableTimestamp
}

/** The register of excluded addresses (uitgesloten adressen): never a household link. */
export interface ExcludedAddressesTable {
  /** The same keyed hash of the normalised address as `registrations.householdKey`. */
  householdKey: string
  addedAt: Timestamp
  addedBy: string
}

export interface MatchesTable {
  id: string
  subjectKey: string
  status: 'open' | 'closed'
  regionCode: string | null
  createdAt: Timestamp
  closedAt: Timestamp | null
  warmHandoverAt: NullableTimestamp
  warmHandoverBy: ColumnType<string | null, string | null | undefined, string | null>
  handoverRemindedAt: NullableTimestamp
  closeToldAt: NullableTimestamp
}

export interface MatchPartiesTable {
  matchId: string
  registrationId: string
  organisationId: string
  subjectKey: string
  joinedAt: Timestamp
  leftAt: Timestamp | null
  /** When the first notification of the match reached this party (reported back by notify-service). */
  notifiedAt: NullableTimestamp
  /** When the follow-up reminder went out (once). */
  remindedAt: NullableTimestamp
  /** When its silence past contactWithin was reported to the coordinator or escalated (once). */
  overdueAt: NullableTimestamp
}

export interface IdempotencyKeysTable {
  scope: string
  key: string
  requestHash: string
  statusCode: number
  response: ColumnType<unknown, string, string>
  createdAt: Timestamp
}

export interface CoordinationsTable {
  matchId: string
  subjectKey: string
  organisationId: string | null
  status: 'proposed' | 'accepted' | 'unassigned' | 'ended'
  ruleId: string | null
  regionCode: string | null
  regionVersion: number | null
  proposedAt: Timestamp
  dueAt: Timestamp | null
  acceptedAt: Timestamp | null
  escalationLevel: number
  declinedBy: string[]
  pendingTransferTo: string | null
  pendingTransferAt: Timestamp | null
  updatedAt: Timestamp
}

export interface CoordinationHistoryTable {
  id: ColumnType<number, never, never>
  matchId: string
  subjectKey: string
  at: Timestamp
  event: string
  organisationId: string | null
  ruleId: string | null
  level: number | null
  reason: string | null
}

export interface EscalationAccessTable {
  matchId: string
  organisationId: string
  subjectKey: string
  level: number
  reachedAt: Timestamp
}

export interface MatchContactsTable {
  matchId: string
  organisationId: string
  subjectKey: string
  /** The latest record; `firstAt` the first, which follow-up deadlines and statistics count. */
  at: Timestamp
  firstAt: Timestamp
  /** Whom it contacted (organisation ids), when it said. */
  organisations: ColumnType<string[], string[] | undefined, string[]>
}

export interface StatisticsMonthsTable {
  regionCode: string
  month: string
  figures: ColumnType<unknown, string, string>
  computedAt: Timestamp
}

/** match-service's tables (schema `match`), beside the shared audit table it writes to. */
export interface MatchDatabase extends SharedTables {
  'match.regions': RegionsTable
  'match.regionVersions': RegionVersionsTable
  'match.regionMunicipalities': RegionMunicipalitiesTable
  'match.subjects': SubjectsTable
  'match.registrations': RegistrationsTable
  'match.matches': MatchesTable
  'match.matchParties': MatchPartiesTable
  'match.idempotencyKeys': IdempotencyKeysTable
  'match.coordinations': CoordinationsTable
  'match.coordinationHistory': CoordinationHistoryTable
  'match.escalationAccess': EscalationAccessTable
  'match.matchContacts': MatchContactsTable
  'match.statisticsMonths': StatisticsMonthsTable
  'match.excludedAddresses': ExcludedAddressesTable
}

export type { Organisation } from '@verwijsindex/shared'
export type Registration = Selectable<RegistrationsTable>
export type NewRegistration = Insertable<RegistrationsTable>
export type Match = Selectable<MatchesTable>
export type NewMatch = Insertable<MatchesTable>
export type MatchParty = Selectable<MatchPartiesTable>
export type Coordination = Selectable<CoordinationsTable>
export type ExcludedAddress = Selectable<ExcludedAddressesTable>
