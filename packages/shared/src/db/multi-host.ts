import pg from 'pg'

/**
 * Multi-host connection URLs, as libpq takes them for a failover pair:
 * `postgres://user@host1:5432,host2:5432/db?target_session_attrs=read-write`. node-postgres connects
 * to one host only, so a new connection first finds the host that is the primary now: it tries each
 * host in turn (the one that answered last time first) and, with `target_session_attrs=read-write`
 * (or `primary`), keeps the first that is not in recovery. Pooled connections are reused, so the probe
 * costs one extra short connection per new pooled one.
 */
interface Host {
  host: string
  port: number
  /** This host alone: pg lets a connection string win over host and port given beside it. */
  url: string
}

export interface ConnectionTarget {
  /** A single-host URL (the first host), target_session_attrs removed: what pg parses. */
  url: string
  /** More than one host: the client class that picks the primary. */
  Client?: typeof pg.Client
}

const MULTI_HOST = /^(postgres(?:ql)?:\/\/)([^@/]*@)?([^/?]*)(.*)$/

export function connectionTarget(url: string): ConnectionTarget {
  const parts = MULTI_HOST.exec(url)
  if (!parts?.[3]?.includes(',')) return { url }
  const [, scheme, credentials = '', hostList = '', rest = ''] = parts
  const [path = '', query = ''] = rest.split('?')
  const params = new URLSearchParams(query)
  const attrs = params.get('target_session_attrs') ?? 'any'
  params.delete('target_session_attrs')
  const search = params.toString()
  const hosts = hostList.split(',').map((entry): Host => {
    const at = entry.lastIndexOf(':')
    const [host, port] =
      at > 0 && !entry.endsWith(']') ? [entry.slice(0, at), Number(entry.slice(at + 1))] : [entry, 5432]
    return { host, port, url: `${scheme}${credentials}${host}:${port}${path}${search ? `?${search}` : ''}` }
  })
  const first = hosts[0] as Host
  return { url: first.url, Client: multiHostClient(hosts, attrs === 'read-write' || attrs === 'primary') }
}

function multiHostClient(hosts: Host[], readWrite: boolean): typeof pg.Client {
  let preferred = 0
  async function findHost(): Promise<Host> {
    let lastError: unknown = new Error('no host answered')
    for (let i = 0; i < hosts.length; i++) {
      const index = (preferred + i) % hosts.length
      const candidate = hosts[index] as Host
      const probe = new pg.Client({
        connectionString: candidate.url,
        connectionTimeoutMillis: 2000,
        application_name: 'verwijsindex-probe',
      })
      probe.on('error', () => undefined)
      try {
        await probe.connect()
        const inRecovery = readWrite
          ? (await probe.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0]?.r
          : false
        if (!inRecovery) {
          preferred = index
          return candidate
        }
        // A standby: the 25006 a write would get, so callers see "unavailable".
        lastError = Object.assign(new Error(`${candidate.host}:${candidate.port} is read-only`), {
          code: '25006',
        })
      } catch (error) {
        lastError = error
      } finally {
        await probe.end().catch(() => undefined)
      }
    }
    throw lastError
  }

  return class MultiHostClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloaded connect(callback?) signature.
    override connect(callback?: any): any {
      const connected = findHost().then((target) => {
        const self = this as unknown as { host: string; port: number }
        self.host = target.host
        self.port = target.port
        return super.connect()
      })
      if (!callback) return connected
      connected.then(
        () => callback(null, this),
        (error: Error) => callback(error),
      )
    }
  }
}
