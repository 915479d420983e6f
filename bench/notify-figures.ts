/**
 * What the notify bench reads from the database: the backlog (events waiting on the queue, mail waiting to
 * be sent) sampled over time, the lag from an event to its mail, and how long a backlog takes to drain.
 */
import pg from 'pg'

export interface Sample {
  /** Seconds since the phase began. */
  t: number
  /** Events on the notifications queue not yet taken in (created or retry) and being taken in (active). */
  queued: number
  ingesting: number
  /** E-mail notifications recorded but not sent: never tried, or waiting for a retry. */
  pending: number
  failed: number
  sent: number
  /** Deliveries reported back to match-service not yet taken in (its `notifiedAt`). */
  deliveryReports: number
}

export interface Lag {
  /** E-mail notifications of the phase's events, and how many of them were sent. */
  notifications: number
  sent: number
  messages: number
  p50: number
  p99: number
  max: number
}

export class Figures {
  readonly #client: pg.Client

  private constructor(client: pg.Client) {
    this.#client = client
  }

  static async connect(url: string): Promise<Figures> {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return new Figures(client)
  }

  async sample(t: number): Promise<Sample> {
    const { rows } = await this.#client.query<Record<keyof Sample, string>>(`
      select
        (select count(*) from pgboss.job where name = 'notifications' and state in ('created', 'retry')) as queued,
        (select count(*) from pgboss.job where name = 'notifications' and state = 'active') as ingesting,
        (select count(*) from pgboss.job where name = 'notification-delivered' and state in ('created', 'retry', 'active')) as "deliveryReports",
        count(*) filter (where status = 'pending') as pending,
        count(*) filter (where status = 'failed') as failed,
        count(*) filter (where status = 'sent') as sent
      from notify.notifications where channel = 'email'`)
    const row = rows[0] as Record<keyof Sample, string>
    return {
      t,
      queued: Number(row.queued),
      ingesting: Number(row.ingesting),
      pending: Number(row.pending),
      failed: Number(row.failed),
      sent: Number(row.sent),
      deliveryReports: Number(row.deliveryReports),
    }
  }

  /** Whether nothing waits: no event on the queue, no e-mail unsent. */
  static drained(s: Sample): boolean {
    return s.queued + s.ingesting + s.pending + s.failed === 0
  }

  /** Event → mail delivery (sent_at), in seconds, for the e-mail of events that occurred in [from, to). */
  async lag(from: Date, to: Date): Promise<Lag> {
    const { rows } = await this.#client.query(
      `select count(*) as notifications, count(n.sent_at) as sent, count(distinct n.message_id) as messages,
         percentile_cont(0.5) within group (order by extract(epoch from n.sent_at - e.occurred_at)) as p50,
         percentile_cont(0.99) within group (order by extract(epoch from n.sent_at - e.occurred_at)) as p99,
         max(extract(epoch from n.sent_at - e.occurred_at)) as max
       from notify.notifications n join notify.events e on e.id = n.event_id
       where n.channel = 'email' and e.occurred_at >= $1 and e.occurred_at < $2`,
      [from, to],
    )
    const r = rows[0]
    return {
      notifications: Number(r.notifications),
      sent: Number(r.sent),
      messages: Number(r.messages),
      p50: Number(r.p50),
      p99: Number(r.p99),
      max: Number(r.max),
    }
  }

  /** When the last e-mail recorded before `moment` was sent (null while any is unsent). */
  async lastSentOfCreatedBefore(moment: Date): Promise<Date | null> {
    const { rows } = await this.#client.query(
      `select count(*) filter (where status <> 'sent') as unsent, max(sent_at) as last
       from notify.notifications where channel = 'email' and created_at < $1`,
      [moment],
    )
    return Number(rows[0].unsent) > 0 ? null : (rows[0].last as Date)
  }

  /** Distinct Message-IDs of sent e-mail: each should have arrived at the sink exactly once. */
  async sentMessageIds(): Promise<Set<string>> {
    const { rows } = await this.#client.query(
      `select distinct message_id from notify.notifications where channel = 'email' and status = 'sent'`,
    )
    return new Set(rows.map((r) => r.message_id as string))
  }

  /** Notifications sent without their notification.send success audit event (must be 0). */
  async sentWithoutAudit(): Promise<number> {
    const { rows } = await this.#client.query(
      `select count(*) as n from notify.notifications n where n.status = 'sent' and not exists (
         select 1 from audit.events a where a.action = 'notification.send' and a.outcome = 'success'
           and a.resource_id = n.id::text)`,
    )
    return Number(rows[0].n)
  }

  close(): Promise<void> {
    return this.#client.end()
  }
}
