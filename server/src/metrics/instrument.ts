import { performance } from 'node:perf_hooks'
import type { SharedRedis } from '../redis/shared'
import { StoreUnavailableError, type Store } from '../store'
import type { Metrics } from './metrics'

const seconds = (since: number) => (performance.now() - since) / 1000

/** The store, each of its operations timed, and whether the database answered kept as store_up. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const timed = { ...store }
  for (const name of Object.keys(store) as (keyof Store)[]) {
    if (name === 'close') continue
    const operation = store[name] as (...args: unknown[]) => Promise<unknown>
    ;(timed as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const started = performance.now()
      try {
        const result = await operation(...args)
        metrics.storeQuery(name, true, seconds(started))
        return result
      } catch (error) {
        metrics.storeQuery(
          name,
          error instanceof StoreUnavailableError ? false : null,
          seconds(started),
        )
        throw error
      }
    }
  }
  return timed
}

/**
 * Redis, each operation timed by its name (what the server asked of Redis, not the wire commands,
 * so that one refused at once while Redis is down counts as a failure too), and redis_up asked
 * at each scrape.
 */
export function instrumentRedis(redis: SharedRedis, metrics: Metrics): SharedRedis {
  metrics.watchRedis(() => redis.up)
  return {
    get up() {
      return redis.up
    },
    async run(name, command) {
      const started = performance.now()
      try {
        const result = await redis.run(name, command)
        metrics.redisCommand(name, 'success', seconds(started))
        return result
      } catch (error) {
        metrics.redisCommand(name, 'failure', seconds(started))
        throw error
      }
    },
    close: () => redis.close(),
  }
}
