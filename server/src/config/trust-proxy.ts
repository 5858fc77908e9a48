import { compile as compileTrust } from '@fastify/proxy-addr'
import type { EnvReader } from '../../../common/env'

const MAX_PROXY_HOPS = 10

/** What Fastify's trustProxy takes, minus "trust everyone": any client could pick its address. */
export function parseTrustProxy(
  value: string | undefined,
  read: Pick<EnvReader, 'problem'>,
): number | string[] {
  const { problem } = read
  if (value === undefined || /^(?:false|no)$/i.test(value)) return 0
  if (/^\d+$/.test(value)) {
    if (Number(value) <= MAX_PROXY_HOPS) return Number(value)
    problem(`TRUST_PROXY must be a hop count from 0 to ${MAX_PROXY_HOPS} (got "${value}")`)
    return 0
  }
  if (/^(?:true|yes)$/i.test(value)) {
    problem(
      `TRUST_PROXY=${value} would trust every hop, so any client could pick its own address: ` +
        'set the number of proxies in front of the server (1 for one nginx) or their addresses ' +
        '(e.g. 127.0.0.1 or 10.0.0.0/8, comma-separated)',
    )
    return 0
  }
  const proxies = value.split(',').map((entry) => entry.trim())
  for (const proxy of proxies) {
    try {
      compileTrust(proxy)
    } catch {
      problem(
        'TRUST_PROXY must be a hop count or a comma-separated list of IP addresses, CIDRs, ' +
          `loopback, linklocal or uniquelocal (got "${proxy}")`,
      )
      return 0
    }
  }
  // A private range may be of any size; a list that spans more than one public /8 (0.0.0.0/1,
  // ::ffff:0:0/96, ::/1) trusts what no proxy is, which is "everyone" by another name.
  const trusts = compileTrust(proxies)
  const reached = PUBLIC_PROBES.filter((address) => trusts(address, 0))
  if (reached.length > 1) {
    problem(
      `TRUST_PROXY=${value} trusts public addresses no proxy has (${reached[0]} and ` +
        `${reached[1]} among them), so clients there could pick their own address: name your ` +
        "proxies' addresses, or the private range they are in",
    )
    return 0
  }
  return proxies
}

/** One public address in each public /8 of IPv4, and in each /8 of IPv6's global unicast 2000::/3. */
const PUBLIC_PROBES = [
  ...Array.from({ length: 223 }, (_, i) => i + 1)
    .filter((first) => first !== 10 && first !== 127)
    .map((first) => `${first}.1.2.3`),
  ...Array.from({ length: 32 }, (_, i) => `${(0x2000 + i * 0x100).toString(16)}::1`),
]
