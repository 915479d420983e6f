import type { Kysely } from 'kysely'

export interface SessionsTable {
  idHash: string
  claims: unknown
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  tokenExpiresAt: Date
  createdAt: Date
  lastSeenAt: Date
}

export interface SignInsTable {
  idHash: string
  state: string
  nonce: string
  codeVerifier: string
  createdAt: Date
}

export interface ConsoleDatabase {
  'console.sessions': SessionsTable
  'console.sign_ins': SignInsTable
}

export type SessionRow = SessionsTable

export async function insertSession(db: Kysely<ConsoleDatabase>, row: SessionRow): Promise<void> {
  await db
    .insertInto('console.sessions')
    .values({ ...row, claims: JSON.stringify(row.claims) })
    .execute()
}

export async function findSession(
  db: Kysely<ConsoleDatabase>,
  idHash: string,
): Promise<SessionRow | undefined> {
  return db.selectFrom('console.sessions').selectAll().where('idHash', '=', idHash).executeTakeFirst()
}

export async function touchSession(db: Kysely<ConsoleDatabase>, idHash: string, at: Date): Promise<void> {
  await db.updateTable('console.sessions').set({ lastSeenAt: at }).where('idHash', '=', idHash).execute()
}

export async function replaceTokens(
  db: Kysely<ConsoleDatabase>,
  idHash: string,
  tokens: Pick<SessionRow, 'accessToken' | 'refreshToken' | 'tokenExpiresAt' | 'claims'>,
): Promise<void> {
  await db
    .updateTable('console.sessions')
    .set({ ...tokens, claims: JSON.stringify(tokens.claims) })
    .where('idHash', '=', idHash)
    .execute()
}

export async function deleteSession(db: Kysely<ConsoleDatabase>, idHash: string): Promise<void> {
  await db.deleteFrom('console.sessions').where('idHash', '=', idHash).execute()
}

/** Sessions idle since `before`, and sign-ins abandoned half-way, are gone. */
export async function purgeIdle(db: Kysely<ConsoleDatabase>, before: Date): Promise<void> {
  await db.deleteFrom('console.sessions').where('lastSeenAt', '<', before).execute()
  await db.deleteFrom('console.sign_ins').where('createdAt', '<', before).execute()
}

export async function insertSignIn(db: Kysely<ConsoleDatabase>, row: SignInsTable): Promise<void> {
  await db.insertInto('console.sign_ins').values(row).execute()
}

/** Taken once: a replayed callback finds nothing. */
export async function takeSignIn(
  db: Kysely<ConsoleDatabase>,
  idHash: string,
): Promise<SignInsTable | undefined> {
  return db.deleteFrom('console.sign_ins').where('idHash', '=', idHash).returningAll().executeTakeFirst()
}
