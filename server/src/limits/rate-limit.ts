import type { FastifyRateLimitStore, RateLimitPluginOptions } from '@fastify/rate-limit'
import type { WindowCounter } from './window-counter'

/** The per-address limit's window: RATE_LIMIT_PER_MIN counts a minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000

/**
 * @fastify/rate-limit counting with `counter`: in Redis, where a limit holds across instances
 * (key `rate-limit:<address>`), and in this process without Redis or while it does not answer.
 * A limiter that failed open during an outage would let an address through without any limit;
 * counted per instance meanwhile, it gets at most the limit from each.
 */
export function rateLimitStore(counter: WindowCounter): Partial<RateLimitPluginOptions> {
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

    // One limit for all the auth routes: no route has its own.
    child(): FastifyRateLimitStore {
      return this
    }
  }
  return { store: CounterStore }
}
