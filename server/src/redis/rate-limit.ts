import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import type { Config } from '../config/config'
import { ApiError } from '../http/errors'
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

/**
 * The per-address budget of RATE_LIMIT_PER_MIN, as an onRequest hook; null with the limiter off.
 * One store behind every hook it gives: the auth routes and the account routes count together.
 */
export async function addressRateLimit(
  app: FastifyInstance,
  config: Pick<Config, 'rateLimitPerMin'>,
  redis: SharedRedis | null,
): Promise<onRequestHookHandler | null> {
  if (config.rateLimitPerMin <= 0) return null
  await app.register(rateLimit, {
    global: false,
    max: config.rateLimitPerMin,
    timeWindow: 60_000,
    ...sharedRateLimit(redis),
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'RATE_LIMITED',
        `too many requests from this address; retry in ${context.after}`,
      ),
  })
  return app.rateLimit()
}
