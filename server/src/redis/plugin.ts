import fp from 'fastify-plugin'
import type { RedisConfig } from '../config/config'
import { connectRedis, type SharedRedis } from './connection'

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the redis plugin, with REDIS_URL. */
    redis: SharedRedis
  }
}

export interface RedisPluginOptions {
  config: RedisConfig
  /** Before every key: tests that share one Redis give each server its own. */
  keyPrefix?: string
}

/**
 * Redis for what instances share (the rate limit, WeChat's access token), named so that what
 * needs it can say so (`dependencies: ['redis']`), and closed with the app, after the requests in
 * flight.
 */
export const redisPlugin = fp<RedisPluginOptions>(
  async (app, { config, keyPrefix }) => {
    const redis = await connectRedis(config, app.log.child({ component: 'redis' }), keyPrefix)
    app.decorate('redis', redis)
    app.addHook('onClose', async () => redis.close())
  },
  { name: 'redis', fastify: '5.x' },
)
