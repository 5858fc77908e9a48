import { performance } from 'node:perf_hooks'
import type { Redis } from 'ioredis'
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
 * Every command on the connection timed, and redis_up asked at each scrape. ioredis has no hook
 * for commands: every one, scripts included, goes through sendCommand.
 */
export function instrumentRedis(client: Redis, metrics: Metrics): void {
  metrics.watchRedis(() => client.status === 'ready')
  const send = client.sendCommand.bind(client)
  client.sendCommand = (command, stream) => {
    const started = performance.now()
    command.promise.then(
      () => metrics.redisCommand(command.name, 'success', seconds(started)),
      () => metrics.redisCommand(command.name, 'failure', seconds(started)),
    )
    return send(command, stream)
  }
}
