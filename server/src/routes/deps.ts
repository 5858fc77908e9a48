import type { onRequestHookHandler } from 'fastify'
import type { Config } from '../config/config'
import type { Lifecycle } from '../http/lifecycle'
import type { Metrics } from '../metrics/metrics'
import type { SharedRedis } from '../redis/shared'
import type { Store } from '../store'
import type { WechatApi } from '../wechat/client'

/** What route plugins get from buildApp: nothing reaches for globals. */
export interface RouteDeps {
  config: Config
  store: Store
  wechat: WechatApi
  now: () => number
  /** With REDIS_URL: what the instances share (the decryption budget's counters). */
  redis: SharedRedis | null
  /** Whether the server is stopping (readiness). */
  lifecycle: Lifecycle
  /** With METRICS_PORT or METRICS_TOKEN: what the routes count. */
  metrics: Metrics | null
  /** The per-address limit of the auth and account routes; null with RATE_LIMIT_PER_MIN=0. */
  rateLimit: onRequestHookHandler | null
}
