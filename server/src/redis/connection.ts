import { Redis } from 'ioredis'
import type { RedisConfig } from '../config/config'

/** Where the connection reports an outage: a pino logger, or anything with these two methods. */
export interface RedisLog {
  warn(message: string): void
  info(message: string): void
}

/** One connection to Redis, shared by the rate limiter and the access-token store. */
export interface SharedRedis {
  readonly client: Redis
  close(): Promise<void>
}

export const DEFAULT_KEY_PREFIX = 'weapp-login:'

// Redis is a shortcut here, never a reason to fail a login: a dead Redis must cost a request
// nothing, not a timeout. So a command sent while the connection is down fails at once (no
// offline queue, no retry of a command whose connection dropped), a connection attempt gives up
// within a second, and a Redis that accepts but never answers costs a command one second.
export const REDIS_TIMEOUTS = { connectMs: 1000, commandMs: 1000, reconnectMaxMs: 1000 }

/**
 * Whether Redis was reachable last time: logged once when an outage starts and once when it ends,
 * however many requests meet it in between. What the server does meanwhile is said with it.
 */
class Reachability {
  private state: 'connecting' | 'up' | 'down' = 'connecting'

  constructor(private readonly log: RedisLog) {}

  lost(reason: string): void {
    if (this.state === 'down') return
    this.state = 'down'
    this.log.warn(
      `Redis cannot be reached (${reason}): until it is back, the rate limiter lets every ` +
        'request through and each instance keeps its own WeChat access token',
    )
  }

  reached(): void {
    const was = this.state
    this.state = 'up'
    if (was === 'down') {
      this.log.info('Redis is reachable again: the rate limit and the access token are shared')
    }
  }
}

/** What an outage is called in the log: never the URL, which may hold a password. */
function reasonOf(error: Error & { code?: unknown }): string {
  return typeof error.code === 'string' ? error.code : error.message
}

/**
 * Connects to Redis and waits for the first connection, at most `connectMs`: a Redis that is down
 * at start is an outage like any other (logged, then retried in the background), not a reason to
 * refuse to start. Reconnects for as long as the server runs.
 */
export async function connectRedis(
  config: RedisConfig,
  log: RedisLog,
  keyPrefix = DEFAULT_KEY_PREFIX,
): Promise<SharedRedis> {
  const reachability = new Reachability(log)
  let closing = false
  const client = new Redis(config.url, {
    // What CLIENT LIST shows for these connections.
    connectionName: 'weapp-login',
    keyPrefix,
    connectTimeout: REDIS_TIMEOUTS.connectMs,
    commandTimeout: REDIS_TIMEOUTS.commandMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_TIMEOUTS.reconnectMaxMs),
  })
  client.on('ready', () => reachability.reached())
  // Every failed attempt to reconnect emits one: the first one of an outage is logged.
  client.on('error', (error: Error) => {
    if (!closing) reachability.lost(reasonOf(error))
  })
  client.on('close', () => {
    if (!closing) reachability.lost('connection closed')
  })

  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      client.off('ready', done)
      client.off('error', done)
      resolve()
    }
    const timer = setTimeout(done, REDIS_TIMEOUTS.connectMs)
    client.once('ready', done)
    client.once('error', done)
  })

  return {
    client,
    async close() {
      closing = true
      if (client.status !== 'ready') {
        client.disconnect()
        return
      }
      // QUIT lets the replies in flight arrive; a Redis that went away meanwhile is simply left.
      await client.quit().catch(() => client.disconnect())
    },
  }
}
