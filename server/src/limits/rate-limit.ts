import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import type { Config } from '../config/config'
import { ApiError } from '../http/errors'
import type { WindowCounter } from './window-counter'

/** The per-address limit's window: RATE_LIMIT_PER_MIN counts a minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000

/**
 * The per-address budget of RATE_LIMIT_PER_MIN, as an onRequest hook; null with the limiter off.
 * One store behind every hook it gives, so the auth routes and the account routes count together.
 *
 * @fastify/rate-limit counts with `counter`: in Redis, where a limit holds across instances (key
 * `rate-limit:<address>`), and in this process without Redis or while it does not answer. A
 * limiter that failed open during an outage would let an address through without any limit;
 * counted per instance meanwhile, it gets at most the limit from each.
 */
export async function addressRateLimit(
  app: FastifyInstance,
  config: Pick<Config, 'rateLimitPerMin'>,
  counter: WindowCounter,
  onRefused: () => void = () => {},
): Promise<onRequestHookHandler | null> {
  if (config.rateLimitPerMin <= 0) return null

  class CounterStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    ) {
      counter.hit(key).then(
        ({ count, resetInMs }) => callback(null, { current: count, ttl: resetInMs }),
        (error: Error) => callback(error),
      )
    }

    // One limit for every route that takes the hook: no route has its own.
    child(): FastifyRateLimitStore {
      return this
    }
  }

  await app.register(rateLimit, {
    global: false,
    max: config.rateLimitPerMin,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    store: CounterStore,
    errorResponseBuilder: (_request, context) => {
      onRefused()
      return new ApiError(
        'RATE_LIMITED',
        `too many requests from this address; retry in ${context.after}`,
      )
    },
  })
  return app.rateLimit()
}
