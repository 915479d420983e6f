import {
  type AuditEvent,
  auditRowOf,
  type CreatedAtCursor,
  compiledOnce,
  olderThan,
} from '@verwijsindex/shared'
import type { ExpressionBuilder, Kysely, QueryCreator } from 'kysely'
import type { Match, MatchDatabase, MatchesTable } from './schema.js'

/**
 * Need to know (docs/architecture.md): the organisations that are a *current* party of the match (a party
 * that left loses access at `leftAt`), the one currently designated to coordinate (or receiving a
 * transfer), and those an escalation step the open match has reached names, until someone accepts.
 */
function visibleTo(organisationId: string) {
  return (eb: ExpressionBuilder<MatchDatabase & { m: MatchesTable }, 'm'>) =>
    eb.or([
      eb.exists(
        eb
          .selectFrom('match.matchParties as p')
          .select('p.matchId')
          .whereRef('p.matchId', '=', 'm.id')
          .where('p.organisationId', '=', organisationId)
          // A party still involved: it has not left, or the match closed around its still-active registration.
          .where((w) =>
            w.or([
              w('p.leftAt', 'is', null),
              w.exists(
                w
                  .selectFrom('match.registrations as r')
                  .select('r.id')
                  .whereRef('r.id', '=', 'p.registrationId')
                  .where('r.status', '=', 'active'),
              ),
            ]),
          ),
      ),
      eb.exists(
        eb
          .selectFrom('match.coordinations as c')
          .select('c.matchId')
          .whereRef('c.matchId', '=', 'm.id')
          .where('c.status', 'in', ['proposed', 'accepted'])
          .where((w) =>
            w.or([w('c.organisationId', '=', organisationId), w('c.pendingTransferTo', '=', organisationId)]),
          ),
      ),
      // An escalation step's organisations need to know while the ladder is live: the match is open and
      // nobody has accepted its coordination yet. Once someone has, their role is over.
      eb.exists(
        eb
          .selectFrom('match.escalationAccess as e')
          .innerJoin('match.coordinations as c', 'c.matchId', 'e.matchId')
          .select('e.matchId')
          .whereRef('e.matchId', '=', 'm.id')
          .where('e.organisationId', '=', organisationId)
          .where('c.status', 'in', ['proposed', 'unassigned'])
          .where('m.status', '=', 'open'),
      ),
    ])
}

/** The match and whether the organisation may see it. */
const matchSeen = (db: QueryCreator<MatchDatabase>, matchId: string, organisationId: string) =>
  db
    .selectFrom('match.matches as m')
    .selectAll('m')
    .select((eb) => visibleTo(organisationId)(eb).$castTo<boolean>().as('visible'))
    .where('m.id', '=', matchId)

/**
 * The match and whether the organisation may see it, in one statement. Given the read's audit event, the
 * same statement records it when the match is visible (a data-modifying CTE: one round trip, not two),
 * naming the match and its child as the statement reads them. A match out of sight writes nothing here: its
 * refusal (access.denied) is the caller's to record, on its own.
 */
export async function matchSeenBy(
  db: Kysely<MatchDatabase>,
  matchId: string,
  organisationId: string,
  read?: AuditEvent,
): Promise<(Match & { visible: boolean }) | undefined> {
  if (!read) return matchSeen(db, matchId, organisationId).executeTakeFirst()
  const { resourceId: _match, subjectKey: _child, ...audit } = auditRowOf(read)
  return (await seenAndAudited(db, { matchId, organisationId, ...audit }))[0]
}

type AuditRow = ReturnType<typeof auditRowOf>

/** The statement of `matchSeenBy` with a read to audit; the hottest read there is, so compiled once. */
const seenAndAudited = compiledOnce(
  (
    db: Kysely<MatchDatabase>,
    p: { matchId: string; organisationId: string } & Omit<AuditRow, 'resourceId' | 'subjectKey'>,
  ) => {
    const { matchId, organisationId, ...audit } = p
    const values = Object.keys(audit) as (keyof typeof audit)[]
    return db
      .with('m', (q) => matchSeen(q, matchId, organisationId))
      .with('a', (q) =>
        q
          .insertInto('audit.events')
          .columns([...values, 'resourceId', 'subjectKey'])
          .expression(
            q
              .selectFrom('m')
              .select((s) => [
                ...values.map((c) => s.val(audit[c]).as(c)),
                s.ref('m.id').as('resourceId'),
                s.ref('m.subjectKey').as('subjectKey'),
              ])
              .where((w) => w.ref('m.visible')),
          ),
      )
      .selectFrom('m')
      .selectAll()
  },
)

/** The matches an organisation may see, newest first. */
export async function matchesVisibleTo(
  db: Kysely<MatchDatabase>,
  organisationId: string,
  filter: { status?: 'open' | 'closed' | undefined; after?: CreatedAtCursor | undefined },
  limit: number,
): Promise<Match[]> {
  const { status, after } = filter
  return db
    .selectFrom('match.matches as m')
    .selectAll('m')
    .where(visibleTo(organisationId))
    .$if(status !== undefined, (q) => q.where('m.status', '=', status as 'open' | 'closed'))
    .$if(after !== undefined, (q) => q.where(olderThan('m.createdAt', 'm.id', after as CreatedAtCursor)))
    .orderBy('m.createdAt', 'desc')
    .orderBy('m.id', 'desc')
    .limit(limit)
    .execute()
}
