import type { Redis } from 'ioredis'

// What the rest of the server knows of Redis: no ioredis at run time here, so that it loads only
// with REDIS_URL (app.ts imports connection.ts then).

/** Redis cannot serve now (down, stopped, refusing this server): the caller does without it. */
export class RedisUnavailable extends Error {
  constructor(reason: string, options?: { cause: unknown }) {
    super(`Redis cannot be reached (${reason})`, options)
    this.name = 'RedisUnavailable'
  }
}

/** One connection to Redis, for what the instances share: limits and WeChat's access token. */
export interface SharedRedis {
  /** Whether Redis answers now (false from an outage's start until a command or PING succeeds). */
  readonly up: boolean
  /**
   * Runs one command, bounded by REDIS_TIMEOUTS.commandMs; while Redis is known not to answer,
   * fails at once instead. Every failure is a RedisUnavailable, for the caller to fall back on
   * what this process can do alone. `name` says what it is for (the metrics time it by name).
   */
  run<T>(name: string, command: (client: Redis) => Promise<T>): Promise<T>
  close(): Promise<void>
}
