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

/** Where Prometheus scrapes the metrics: never the public listener without the token. */
export interface MetricsConfig {
  /** A listener of their own (METRICS_PORT), or null: /metrics on the server's, behind `token`. */
  port: number | null
  /** Where that listener listens (METRICS_HOST, default HOST). */
  host: string
  /** Required as `Authorization: Bearer <token>` wherever they are served, when set. */
  token: string | null
}

/** pino's levels, and silent. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

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
  /** info: a line per request; warn: only what goes wrong. */
  logLevel: LogLevel
  /** null: no metrics anywhere. */
  metrics: MetricsConfig | null
  /** Between a stop signal and closing the listener: /readyz answers 503, requests are served. */
  shutdownDelayS: number
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

// Long enough that it cannot be guessed; a token is compared in constant time all the same.
const METRICS_TOKEN_PATTERN = /^[\x21-\x7e]{16,128}$/

/** METRICS_PORT, METRICS_HOST, METRICS_TOKEN: off unless a port or a token is set. */
function readMetrics(read: EnvReader, host: string, port: number): MetricsConfig | null {
  const portSet = read.raw('METRICS_PORT') !== undefined
  const metricsPort = read.integer('METRICS_PORT', 0, 0, 65535)
  const hostSet = read.raw('METRICS_HOST') !== undefined
  const metricsHost = hostSet ? read.host('METRICS_HOST', host) : host
  const token = read.raw('METRICS_TOKEN') ?? null
  if (token !== null && !METRICS_TOKEN_PATTERN.test(token)) {
    // Like WECHAT_SECRET, never echoed back.
    read.problem('METRICS_TOKEN must be 16 to 128 printable characters without spaces')
  }
  if (portSet && metricsPort !== 0 && metricsPort === port) {
    read.problem('METRICS_PORT must differ from PORT: the public listener never serves metrics')
  }
  if (!portSet && hostSet) {
    read.problem('METRICS_HOST applies only with METRICS_PORT')
  }
  if (!portSet && token === null) return null
  return { port: portSet ? metricsPort : null, host: metricsHost, token }
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

  const logLevel = raw('LOG_LEVEL') ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    read.problem(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`)
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
    logLevel: logLevel as LogLevel,
    metrics: readMetrics(read, host, port),
    shutdownDelayS: integer('SHUTDOWN_DELAY_S', 0, 0, 60),
    trustProxy: parseTrustProxy(raw('TRUST_PROXY'), read, trustProxyPublic(read)),
    phoneKeys: readPhoneKeys(read, wechat.production),
  })
}
