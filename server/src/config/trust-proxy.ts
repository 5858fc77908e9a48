import { BlockList, isIP } from 'node:net'
import { compile as compileTrust } from '@fastify/proxy-addr'
import type { EnvReader } from '../../../common/env'

const MAX_PROXY_HOPS = 10

/**
 * Where a proxy of one's own sits: loopback, the private ranges (RFC 1918), link-local, IPv6
 * unique-local, and the shared address space of RFC 6598 (100.64.0.0/10), which carriers and
 * cloud load balancers (Alibaba Cloud's SLB among them) forward from.
 */
const OWN_NETWORKS: readonly [address: string, prefix: number, type: 'ipv4' | 'ipv6'][] = [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
]
// proxy-addr's names for some of them.
const OWN_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/**
 * Whether every address of an entry (an address, or a CIDR) is in one of OWN_NETWORKS: its
 * prefix at least that network's, and its address inside it.
 */
function isOwnNetwork(entry: string): boolean {
  if (OWN_NAMES.includes(entry)) return true
  const [address = '', bits] = entry.split('/')
  const family = isIP(address)
  if (family === 0) return false
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits)
  const type = family === 4 ? 'ipv4' : 'ipv6'
  return OWN_NETWORKS.some(([network, length, networkType]) => {
    if (networkType !== type || prefix < length) return false
    const block = new BlockList()
    block.addSubnet(network, length, type)
    return block.check(address, type)
  })
}

/** What Fastify's trustProxy takes, minus "trust everyone": any client could pick its address. */
export function parseTrustProxy(
  value: string | undefined,
  read: Pick<EnvReader, 'problem'>,
  publicAllowed = false,
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
  // A proxy of one's own is on one's own network; a public address in the list is most often a
  // mistake (a client's address, a whole provider's range), and trusting it lets whoever is
  // there pick their own address. It takes TRUST_PROXY_PUBLIC=1 to say it is meant.
  const foreign = proxies.filter((proxy) => !isOwnNetwork(proxy))
  if (foreign.length > 0 && !publicAllowed) {
    problem(
      `TRUST_PROXY=${value} names public addresses (${foreign.join(', ')}), not loopback, ` +
        'private, link-local or unique-local ones: name the addresses your proxies reach the ' +
        'server from, or set TRUST_PROXY_PUBLIC=1 if a proxy really is at a public address',
    )
    return 0
  }
  // Even then, a list that spans more than one public /8 (0.0.0.0/1, ::ffff:0:0/96, ::/1)
  // trusts what no proxy is, which is "everyone" by another name.
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
