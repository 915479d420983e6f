import { BlockList, isIP } from 'node:net'

/**
 * Where a webhook may point in production: only public unicast addresses, so a partner cannot make the
 * index call into the operator's own network (SSRF): loopback, private (RFC 1918, unique local),
 * link-local (including cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, documentation
 * and other reserved ranges are refused.
 */
const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  // IPv4-compatible (deprecated, ::a.b.c.d: `[::127.0.0.1]` is `[::7f00:1]`), with :: and ::1 in it.
  ['::', 96],
  // IPv4-translated (::ffff:0:a.b.c.d, SIIT): `[::ffff:0:7f00:1]` is loopback too.
  ['::ffff:0:0:0', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6')
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped ::ffff:a.b.c.d, or NAT64 64:ff9b::/96), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase()
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (dotted?.[1]) return dotted[1]
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16)
    const low = Number.parseInt(hex[2], 16)
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
  }
  return null
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !blocked.check(address, 'ipv4')
  if (family === 6) {
    const v4 = embeddedIpv4(address)
    if (v4) return isPublicAddress(v4)
    return !blocked.check(address, 'ipv6')
  }
  return false
}

export interface UrlPolicy {
  /** NODE_ENV=production: https only, and only to public addresses. */
  production: boolean
  /** Loopback and private targets allowed (development with NOTIFY_ALLOW_PRIVATE_WEBHOOKS=true only). */
  allowPrivate: boolean
}

/** The policy a configuration asks for: private targets never in production, in development on request. */
export function urlPolicyOf(config: {
  nodeEnv: string
  notify: { allowPrivateWebhooks: boolean }
}): UrlPolicy {
  const production = config.nodeEnv === 'production'
  return { production, allowPrivate: !production && config.notify.allowPrivateWebhooks }
}

/**
 * What is wrong with a webhook URL on its face (before any DNS lookup), or null. Credentials in the URL
 * are refused everywhere: they would be stored and shown like any other part of it.
 */
export function webhookUrlProblem(raw: string, policy: UrlPolicy): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL'
  if (policy.production && url.protocol !== 'https:') return 'must be an https URL'
  if (url.username || url.password) return 'must not contain credentials'
  if (url.hash) return 'must not contain a fragment'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!policy.allowPrivate && isIP(host) && !isPublicAddress(host)) {
    return 'must point to a public address'
  }
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
    return 'must point to a public address'
  }
  return null
}
