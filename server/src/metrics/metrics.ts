import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { OpenDataFailure } from '../../../common/open-data'

/**
 * Everything the server counts and times, in Prometheus' text format. Names follow Prometheus'
 * conventions: this application's prefix, base units (seconds), `_total` for counters; the
 * process' own (CPU, memory, event loop, garbage collection) are prom-client's standard ones.
 * server/README.md lists every metric and what to alert on.
 */
const PREFIX = 'weapp_login_'

// An answer is milliseconds unless WeChat or the database is slow; the tail is what alerts see.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
// One attempt times out after 1.5 s.
const WECHAT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5]
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 10]
// A command times out after 1 s.
const REDIS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

/** Who refreshed the access token this instance needed: itself, or another through Redis. */
export type RefreshedBy = 'this_instance' | 'another_instance'
export type Outcome = 'success' | 'failure'

/** What the WeChat client reports: each HTTP request to WeChat, each access-token refresh. */
export interface WechatMetrics {
  /** `errcode`: WeChat's, as a string ("0" for success), or "none" when it answered none. */
  wechatCall(api: string, errcode: string, seconds: number): void
  accessTokenRefresh(by: RefreshedBy, result: Outcome): void
}

export const PHONE_KINDS = ['code', 'legacy'] as const
export type PhoneKind = (typeof PHONE_KINDS)[number]
const OPEN_DATA_FAILURES: readonly OpenDataFailure[] = ['malformed', 'undecryptable', 'watermark']

export class Metrics implements WechatMetrics {
  readonly registry = new Registry()
  private readonly http: Histogram<'method' | 'route' | 'status_code'>
  private readonly wechat: Histogram<'api' | 'errcode'>
  private readonly refreshes: Counter<'by' | 'result'>
  private readonly storeUp: Gauge
  private readonly storeQueries: Histogram<'operation' | 'outcome'>
  private readonly redisCommands: Histogram<'command' | 'outcome'>
  private readonly rateLimits: Counter
  private readonly logins: Counter
  private readonly phoneBindings: Counter<'kind'>
  private readonly decryptionFailures: Counter<'reason'>

  constructor() {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.http = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests answered, by method, route (its pattern) and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    })
    this.wechat = new Histogram({
      name: `${PREFIX}wechat_api_call_duration_seconds`,
      help:
        "HTTP requests to WeChat's API (retries included), by API and the errcode it answered " +
        '("none": no answer, or not one of WeChat\'s)',
      labelNames: ['api', 'errcode'],
      buckets: WECHAT_BUCKETS,
      registers,
    })
    this.refreshes = new Counter({
      name: `${PREFIX}wechat_access_token_refreshes_total`,
      help:
        'Access-token refreshes this instance needed, by who made them (this instance, or ' +
        'another one through Redis) and their result',
      labelNames: ['by', 'result'],
      registers,
    })
    this.storeUp = new Gauge({
      name: `${PREFIX}store_up`,
      help: 'Whether the database answered the last query (1) or could not be reached (0)',
      registers,
    })
    this.storeQueries = new Histogram({
      name: `${PREFIX}store_query_duration_seconds`,
      help: "The store's operations (one or a transaction of a few statements), by outcome",
      labelNames: ['operation', 'outcome'],
      buckets: STORE_BUCKETS,
      registers,
    })
    this.redisCommands = new Histogram({
      name: `${PREFIX}redis_command_duration_seconds`,
      help: 'Redis commands (the rate limit, the shared access token), by outcome',
      labelNames: ['command', 'outcome'],
      buckets: REDIS_BUCKETS,
      registers,
    })
    this.rateLimits = new Counter({
      name: `${PREFIX}rate_limited_total`,
      help: "Requests the rate limiter refused (429), WeChat's own quota (45011) apart",
      registers,
    })
    this.logins = new Counter({
      name: `${PREFIX}logins_total`,
      help: 'Successful logins: a token issued',
      registers,
    })
    this.phoneBindings = new Counter({
      name: `${PREFIX}phone_bindings_total`,
      help: 'Phone numbers bound, by kind: a phone code, or the legacy encrypted payload',
      labelNames: ['kind'],
      registers,
    })
    this.decryptionFailures = new Counter({
      name: `${PREFIX}decryption_failures_total`,
      help: 'Encrypted payloads that did not open, by reason',
      labelNames: ['reason'],
      registers,
    })
    // Every series that alerts read exists from the start, at 0: absent is not zero to PromQL.
    this.storeUp.set(1)
    for (const kind of PHONE_KINDS) this.phoneBindings.labels(kind).inc(0)
    for (const reason of OPEN_DATA_FAILURES) this.decryptionFailures.labels(reason).inc(0)
    for (const result of ['success', 'failure'] as const) {
      this.refreshes.labels('this_instance', result).inc(0)
    }
    this.refreshes.labels('another_instance', 'success').inc(0)
  }

  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.http.labels(method, route, String(statusCode)).observe(seconds)
  }

  wechatCall(api: string, errcode: string, seconds: number): void {
    this.wechat.labels(api, errcode).observe(seconds)
  }

  accessTokenRefresh(by: RefreshedBy, result: Outcome): void {
    this.refreshes.labels(by, result).inc()
  }

  /** `reached`: whether the database answered (null: it answered with an error, a bug). */
  storeQuery(operation: string, reached: boolean | null, seconds: number): void {
    if (reached !== null) this.storeUp.set(reached ? 1 : 0)
    const outcome = reached === null ? 'error' : reached ? 'success' : 'unavailable'
    this.storeQueries.labels(operation, outcome).observe(seconds)
  }

  redisCommand(command: string, result: Outcome, seconds: number): void {
    this.redisCommands.labels(command, result).observe(seconds)
  }

  /** Whether Redis is connected, asked at each scrape. */
  watchRedis(connected: () => boolean): void {
    new Gauge({
      name: `${PREFIX}redis_up`,
      help: 'Whether the connection to Redis is up (1) or not (0)',
      registers: [this.registry],
      collect() {
        this.set(connected() ? 1 : 0)
      },
    })
  }

  rateLimited(): void {
    this.rateLimits.inc()
  }

  login(): void {
    this.logins.inc()
  }

  phoneBound(kind: PhoneKind): void {
    this.phoneBindings.labels(kind).inc()
  }

  decryptionFailed(reason: OpenDataFailure): void {
    this.decryptionFailures.labels(reason).inc()
  }
}
