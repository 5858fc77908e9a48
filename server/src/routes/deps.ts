import type { Config } from '../config/config'
import type { Lifecycle } from '../http/lifecycle'
import type { Metrics } from '../metrics/metrics'
import type { SharedRedis } from '../redis/connection'
import type { Store } from '../store'
import type { WechatApi } from '../wechat/client'

/** What route plugins get from buildApp: nothing reaches for globals. */
export interface RouteDeps {
  config: Config
  store: Store
  wechat: WechatApi
  now: () => number
  /** With REDIS_URL: what the instances share (the rate limit). */
  redis: SharedRedis | null
  /** Whether the server is stopping (readiness). */
  lifecycle: Lifecycle
  /** With METRICS_PORT or METRICS_TOKEN: what the routes count. */
  metrics: Metrics | null
}
