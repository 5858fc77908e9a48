import { resolve } from 'node:path'
import { readEnv, type Env, type EnvReader } from '../../../common/env'
import { readPhoneKeys, type PhoneKeys } from './phone-keys'
import { parseTrustProxy } from './trust-proxy'
import { readWechatTarget, type WechatTarget } from './wechat-target'

export { ConfigError } from '../../../common/env'
export type { PhoneKeys }
export type { EmulatorMode } from '../../../emulator'

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

export interface Config extends WechatTarget {
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
  /** Per client address on /api/auth/* and the account routes; 0 turns the limiter off. */
  rateLimitPerMin: number
  /**
   * Whose X-Forwarded-For (-Proto, -Host) to believe: a hop count (0: nobody) or the proxies'
   * addresses and CIDRs. Never everyone.
   */
  trustProxy: number | readonly string[]
  /**
   * The keys of the phone numbers at rest; null (development only): a key the store generates and
   * keeps in dataDir.
   */
  phoneKeys: PhoneKeys | null
}

/**
 * server/.data. The sources run from src/config/, the compiled server from one bundle in dist/:
 * the package's root is two folders up from the one, one from the other.
 */
export const DEFAULT_DATA_DIR = resolve(
  __dirname,
  __filename.endsWith('.ts') ? '../..' : '..',
  '.data',
)

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

/** TRUST_PROXY_PUBLIC=1: the proxies TRUST_PROXY lists may be at public addresses. */
function trustProxyPublic(read: EnvReader): boolean {
  const value = read.raw('TRUST_PROXY_PUBLIC')
  if (value === undefined || value === '0') return false
  if (value !== '1') {
    read.problem(`TRUST_PROXY_PUBLIC must be 1 or 0 (got "${value}")`)
    return false
  }
  if (!/[.:a-z]/i.test(read.raw('TRUST_PROXY') ?? '')) {
    read.problem(
      'TRUST_PROXY_PUBLIC=1 applies only to a list of addresses in TRUST_PROXY, not to a hop count',
    )
  }
  return true
}

/** Reads the environment; collects every problem before giving up, so one run lists them all. */
export function loadConfig(env: Env): Config {
  const read = readEnv(env)
  const { raw, integer } = read

  const port = integer('PORT', 3000, 0, 65535)
  const host = read.host('HOST', '127.0.0.1')
  const wechat = readWechatTarget(read, host)

  const dataDir = resolve(raw('DATA_DIR') ?? DEFAULT_DATA_DIR)
  const databaseUrl = raw('DATABASE_URL')
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    // The URL may hold a password: the message does not quote it.
    read.problem('DATABASE_URL must be a postgres:// or postgresql:// URL with a host')
  }
  // Enough for thousands of logins a second, each holding a connection for a few short
  // statements; over PostgreSQL's default max_connections (100, for all instances together) a
  // pool could not open its connections anyway.
  const databasePoolMax = integer('DATABASE_POOL_MAX', 10, 1, 100)
  if (databaseUrl === undefined && raw('DATABASE_POOL_MAX') !== undefined) {
    // Most likely a misspelt DATABASE_URL: SQLite would run unannounced.
    read.problem('DATABASE_POOL_MAX applies only with DATABASE_URL (PostgreSQL)')
  }
  const redisUrl = raw('REDIS_URL')
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    // Like DATABASE_URL, it may hold a password.
    read.problem(
      'REDIS_URL must be a redis:// or rediss:// URL with a host, and at most a database number ' +
        '(0 to 15) as its path',
    )
  }

  return read.done<Config>({
    ...wechat,
    host,
    port,
    dataDir,
    database: databaseUrl === undefined ? null : { url: databaseUrl, poolMax: databasePoolMax },
    redis: redisUrl === undefined ? null : { url: redisUrl },
    tokenTtlS: integer('TOKEN_TTL_S', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    watermarkMaxAgeS: integer('WATERMARK_MAX_AGE_S', 600, 0, 7 * 24 * 3600),
    rateLimitPerMin: integer('RATE_LIMIT_PER_MIN', 60, 0, 1_000_000),
    trustProxy: parseTrustProxy(raw('TRUST_PROXY'), read, trustProxyPublic(read)),
    phoneKeys: readPhoneKeys(read, wechat.production),
  })
}
