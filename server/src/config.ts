import { resolve } from 'node:path'
import { compile as compileTrust } from '@fastify/proxy-addr'

export type EmulatorMode = 'strict' | 'preview'

/** PostgreSQL, where the store lives when DATABASE_URL is set. */
export interface DatabaseConfig {
  /** postgres://user:password@host:port/database: never logged, it may hold a password. */
  url: string
  /** The most connections one process opens. */
  poolMax: number
  /** How long a statement may go unanswered; by default QUERY_TIMEOUT_MS (tests shorten it). */
  queryTimeoutMs?: number
}

/** Redis, where instances share the rate limit and WeChat's access token when REDIS_URL is set. */
export interface RedisConfig {
  /** redis://[user:password@]host[:port][/db] (rediss:// over TLS): never logged. */
  url: string
}

export interface Config {
  /**
   * NODE_ENV=production: no built-in emulator without EMULATOR=1, and no development tools (the
   * browser preview) even with it.
   */
  production: boolean
  host: string
  port: number
  /** Where the SQLite store lives (without `database`). */
  dataDir: string
  /** null: SQLite in dataDir. */
  database: DatabaseConfig | null
  /** null: the rate limit and the access token live in this process. */
  redis: RedisConfig | null
  tokenTtlS: number
  /** 0 turns the watermark freshness check off. */
  watermarkMaxAgeS: number
  /** Per client address on /api/auth/*; 0 turns the limiter off. */
  rateLimitPerMin: number
  /**
   * Whose X-Forwarded-For (-Proto, -Host) to believe: a hop count (0: nobody) or the proxies'
   * addresses and CIDRs. Never everyone.
   */
  trustProxy: number | readonly string[]
  wechat: {
    appid: string
    secret: string
    /** null: the emulator mounted on this server, at its real bound port. */
    apiBase: string | null
  }
  /**
   * The built-in emulator, mounted at /__wechat: on with EMULATOR=1, or by default without
   * credentials outside NODE_ENV=production; null against WeChat (or an emulator elsewhere).
   */
  emulator: { mode: EmulatorMode } | null
}

export const EMULATOR_APPID = 'wx0000000000000000'
export const EMULATOR_SECRET = 'emulator-secret-not-for-production'
export const WECHAT_API_BASE = 'https://api.weixin.qq.com'
export const DEFAULT_DATA_DIR = resolve(__dirname, '..', '.data')
export const HOST_PATTERN = /^[A-Za-z0-9.:%-]+$/
export const APPID_PATTERN = /^wx[0-9a-f]{16}$/i
export const SECRET_PATTERN = /^[\x21-\x7e]{1,128}$/
const MAX_PROXY_HOPS = 10

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Env = Readonly<Record<string, string | undefined>>

/** A URL pg can connect with: a host, or a Unix socket directory in `?host=`. */
function isPostgresUrl(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : null
  return (
    url !== null &&
    ['postgres:', 'postgresql:'].includes(url.protocol) &&
    (url.hostname !== '' || url.searchParams.has('host'))
  )
}

/** A URL ioredis connects with: a host, and at most a database number as its path. */
function isRedisUrl(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : null
  return (
    url !== null &&
    ['redis:', 'rediss:'].includes(url.protocol) &&
    url.hostname !== '' &&
    /^(?:\/(?:\d|1[0-5])?)?$/.test(url.pathname) &&
    !url.search &&
    !url.hash
  )
}

/** Reads the environment; collects every problem before giving up, so one run lists them all. */
export function loadConfig(env: Env): Config {
  const problems: string[] = []
  // An empty value counts as unset: `PORT= npm start` means the default.
  const raw = (name: string): string | undefined => (env[name] === '' ? undefined : env[name])

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name)
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`)
      return fallback
    }
    return Number(value)
  }

  const port = integer('PORT', 3000, 0, 65535)
  const host = raw('HOST') ?? '127.0.0.1'
  if (!HOST_PATTERN.test(host)) {
    problems.push(`HOST must be a host name or an IP address (got "${host}")`)
  }

  const appid = raw('WECHAT_APPID')
  const secret = raw('WECHAT_SECRET')
  if (appid !== undefined && !APPID_PATTERN.test(appid)) {
    problems.push(`WECHAT_APPID must look like wx followed by 16 hex digits (got "${appid}")`)
  }
  // The secret is never echoed back, not even in an error message.
  if (secret !== undefined && !SECRET_PATTERN.test(secret)) {
    problems.push('WECHAT_SECRET must be 1 to 128 printable characters without spaces')
  }
  if ((appid === undefined) !== (secret === undefined)) {
    problems.push(
      'set both WECHAT_APPID and WECHAT_SECRET (real WeChat) or neither (the built-in emulator)',
    )
  }
  const real = appid !== undefined && secret !== undefined
  const nodeEnv = raw('NODE_ENV')
  const production = nodeEnv === 'production'
  // "Production", "prod" or a stray space would otherwise run the emulator, which signs anyone in.
  if (!production && nodeEnv !== undefined && /prod/i.test(nodeEnv)) {
    problems.push(
      `NODE_ENV must be exactly production to run in production (got "${nodeEnv}"); ` +
        'anything else is development, with the emulator',
    )
  }

  const apiBase = raw('WECHAT_API_BASE')
  let apiBaseUrl: string | null = null
  if (apiBase !== undefined) {
    const url = URL.canParse(apiBase) ? new URL(apiBase) : null
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
      problems.push(
        `WECHAT_API_BASE must be an http(s) URL without query or fragment (got "${apiBase}")`,
      )
    } else {
      apiBaseUrl = url.href.replace(/\/+$/, '')
    }
  }
  const emulatorOn = builtInEmulator(
    raw('EMULATOR'),
    { production, real, elsewhere: apiBase !== undefined },
    problems,
  )

  const dataDir = resolve(raw('DATA_DIR') ?? DEFAULT_DATA_DIR)
  const databaseUrl = raw('DATABASE_URL')
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    // The URL may hold a password: the message does not quote it.
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL with a host')
  }
  // Enough for thousands of logins a second, each holding a connection for a few short
  // statements; over PostgreSQL's default max_connections (100, for all instances together) a
  // pool could not open its connections anyway.
  const databasePoolMax = integer('DATABASE_POOL_MAX', 10, 1, 100)
  if (databaseUrl === undefined && raw('DATABASE_POOL_MAX') !== undefined) {
    // Most likely a misspelt DATABASE_URL: SQLite would run unannounced.
    problems.push('DATABASE_POOL_MAX applies only with DATABASE_URL (PostgreSQL)')
  }
  const redisUrl = raw('REDIS_URL')
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    // Like DATABASE_URL, it may hold a password.
    problems.push(
      'REDIS_URL must be a redis:// or rediss:// URL with a host, and at most a database number ' +
        '(0 to 15) as its path',
    )
  }
  const tokenTtlS = integer('TOKEN_TTL_S', 7 * 24 * 3600, 60, 365 * 24 * 3600)
  const watermarkMaxAgeS = integer('WATERMARK_MAX_AGE_S', 600, 0, 7 * 24 * 3600)
  const rateLimitPerMin = integer('RATE_LIMIT_PER_MIN', 60, 0, 1_000_000)
  const trustProxy = parseTrustProxy(raw('TRUST_PROXY'), problems)

  const emulatorMode = raw('EMULATOR_MODE') ?? 'preview'
  if (emulatorMode !== 'preview' && emulatorMode !== 'strict') {
    problems.push(`EMULATOR_MODE must be preview or strict (got "${emulatorMode}")`)
  } else if (real && raw('EMULATOR_MODE') !== undefined) {
    problems.push('EMULATOR_MODE applies only to the built-in emulator, not with WECHAT_APPID set')
  }

  const config: Config = {
    production,
    host,
    port,
    dataDir,
    database: databaseUrl === undefined ? null : { url: databaseUrl, poolMax: databasePoolMax },
    redis: redisUrl === undefined ? null : { url: redisUrl },
    tokenTtlS,
    watermarkMaxAgeS,
    rateLimitPerMin,
    trustProxy,
    wechat: real
      ? { appid, secret, apiBase: apiBaseUrl ?? WECHAT_API_BASE }
      : { appid: EMULATOR_APPID, secret: EMULATOR_SECRET, apiBase: apiBaseUrl },
    emulator: emulatorOn ? { mode: emulatorMode === 'strict' ? 'strict' : 'preview' } : null,
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/**
 * Whether to mount the built-in emulator, which signs in anyone who asks: never by accident in
 * production, never alongside credentials, which mean a WeChat elsewhere, and never beside
 * WECHAT_API_BASE, which names the emulator to call (one nobody calls would only sign people in).
 */
function builtInEmulator(
  emulator: string | undefined,
  wechat: { production: boolean; real: boolean; elsewhere: boolean },
  problems: string[],
): boolean {
  const { production, real, elsewhere } = wechat
  if (emulator === '1') {
    if (real) {
      problems.push(
        'EMULATOR=1 runs the built-in emulator with its own appid: unset WECHAT_APPID and ' +
          'WECHAT_SECRET, or unset EMULATOR to call WeChat with them',
      )
    } else if (elsewhere) {
      problems.push(
        'EMULATOR=1 runs the built-in emulator, and WECHAT_API_BASE names another one: unset ' +
          'one of them',
      )
    }
    return !real && !elsewhere
  }
  if (emulator !== undefined && emulator !== '0') {
    problems.push(`EMULATOR must be 1 (the built-in emulator) or 0 (got "${emulator}")`)
    return false
  }
  if (real) return false
  if (emulator === '0' && !elsewhere) {
    problems.push(
      'EMULATOR=0 turns the built-in emulator off: set WECHAT_APPID and WECHAT_SECRET ' +
        '(with WECHAT_API_BASE for an emulator running elsewhere)',
    )
    return false
  }
  if (production) {
    problems.push(
      'NODE_ENV=production needs WeChat credentials: set WECHAT_APPID and WECHAT_SECRET ' +
        "(your mini-program's, from mp.weixin.qq.com 开发管理 → 开发设置; or a standalone " +
        "emulator's, with WECHAT_API_BASE), or EMULATOR=1 to run the built-in emulator anyway",
    )
    return false
  }
  return !elsewhere
}

/** What Fastify's trustProxy takes, minus "trust everyone": any client could pick its address. */
function parseTrustProxy(value: string | undefined, problems: string[]): number | string[] {
  if (value === undefined || /^(?:false|no)$/i.test(value)) return 0
  if (/^\d+$/.test(value)) {
    if (Number(value) <= MAX_PROXY_HOPS) return Number(value)
    problems.push(`TRUST_PROXY must be a hop count from 0 to ${MAX_PROXY_HOPS} (got "${value}")`)
    return 0
  }
  if (/^(?:true|yes)$/i.test(value)) {
    problems.push(
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
      problems.push(
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
    problems.push(
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
