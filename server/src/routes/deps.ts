import type { Config } from '../config/config'
import type { SharedRedis } from '../redis/shared'
import type { Store } from '../store'
import type { WechatApi } from '../wechat/client'

/** What route plugins get from buildApp: nothing reaches for globals. */
export interface RouteDeps {
  config: Config
  store: Store
  wechat: WechatApi
  now: () => number
  /** With REDIS_URL: what the instances share (the rate limit, the decryption budget). */
  redis: SharedRedis | null
}
