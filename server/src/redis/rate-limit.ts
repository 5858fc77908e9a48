import type { RateLimitPluginOptions } from '@fastify/rate-limit'
import type { SharedRedis } from './connection'

/**
 * The rate limiter's counters in Redis, so that a limit holds across instances (the plugin's own
 * Redis store: one INCR and PEXPIRE script per request), or in this process without Redis.
 *
 * While Redis cannot be reached, the limiter lets requests through (skipOnError) rather than
 * answer 5xx or fall back to per-instance counters: it guards against abuse, and a login that
 * fails because the guard is down would turn a Redis outage into an outage of the service; the
 * connection logs the outage once (connection.ts). Counting per instance meanwhile would let an
 * address through N times the limit anyway, and make the limit depend on which instance answers.
 */
export function sharedRateLimit(redis: SharedRedis | null): Partial<RateLimitPluginOptions> {
  return redis ? { redis: redis.client, nameSpace: 'rate-limit:', skipOnError: true } : {}
}
