import PgBoss from 'pg-boss'

export const QUEUE_SCHEMA = 'pgboss'

export interface QueueOptions {
  /** Runs maintenance and cron scheduling; every replica may, pg-boss elects one at a time. */
  supervise?: boolean
  schedule?: boolean
  max?: number
}

export function createQueue(databaseUrl: string, options: QueueOptions = {}): PgBoss {
  return new PgBoss({
    connectionString: databaseUrl,
    schema: QUEUE_SCHEMA,
    max: options.max ?? 4,
    application_name: 'verwijsindex-queue',
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? true,
    migrate: false,
  })
}

/** Installs or upgrades pg-boss's own schema and creates the named queues; part of `npm run migrate`. */
export async function installQueueSchema(databaseUrl: string, queues: readonly string[]): Promise<void> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: QUEUE_SCHEMA,
    max: 2,
    supervise: false,
    schedule: false,
    migrate: true,
  })
  boss.on('error', () => undefined)
  await boss.start()
  try {
    for (const name of queues) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name)
    }
  } finally {
    await boss.stop({ graceful: false, wait: true })
  }
}

export type { PgBoss }
