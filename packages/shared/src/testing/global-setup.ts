import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../embedded-postgres.js'
import { migrate } from '../migrate.js'
import { databaseUrl } from './database.js'

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string }
  }
}

interface Server {
  adminUrl: string
  source: string
  stop(): Promise<void>
}

function dockerEngineMayAnswer(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock')
}

async function startContainer(): Promise<Server | undefined> {
  if (!dockerEngineMayAnswer()) return undefined
  try {
    // Imported lazily: testcontainers is only loaded where a Docker engine may answer.
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
    const container = await new PostgreSqlContainer('postgres:17-alpine').start()
    return {
      adminUrl: databaseUrl(container.getConnectionUri(), 'postgres'),
      source: 'testcontainers',
      stop: async () => {
        await container.stop()
      },
    }
  } catch {
    return undefined
  }
}

async function startEmbedded(): Promise<Server> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-test-pg-'))
  const server = await startEmbeddedPostgres({ dataDir, password: randomBytes(12).toString('hex') })
  return {
    adminUrl: server.url,
    source: 'embedded-postgres',
    stop: async () => {
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * One PostgreSQL server for the whole run (TEST_DATABASE_URL, else testcontainers when a Docker engine
 * answers, else embedded-postgres) and one migrated template; each test file clones its own database.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL
  const server: Server = given
    ? { adminUrl: given, source: 'TEST_DATABASE_URL', stop: async () => undefined }
    : ((await startContainer()) ?? (await startEmbedded()))
  const template = `vi_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: server.adminUrl })
  await admin.connect()
  await admin.query(`create database ${template}`)
  await admin.end()
  await migrate(databaseUrl(server.adminUrl, template))
  process.stdout.write(`test database server: ${server.source}; template ${template}\n`)
  project.provide('testDatabase', { adminUrl: server.adminUrl, template })

  return async () => {
    const client = new pg.Client({ connectionString: server.adminUrl })
    await client.connect()
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`${template}%`],
    )
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`)
    await client.end()
    await server.stop()
  }
}
