import { RedisUnavailable, type SharedRedis } from '../redis/shared'

// Counts per key in fixed windows (a minute of requests per address, an hour of decryption
// failures per user): in Redis, where every instance counts together, and in this process
// without Redis or while it does not answer, rather than not at all.

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number
  /** When the window ends. */
  resetInMs: number
}

export interface WindowCounter {
  hit(key: string): Promise<WindowCount>
  /** Takes one hit back: what turned out not to count. */
  undo(key: string): Promise<void>
}

// Keys this process remembers at most: the least recently hit are forgotten first.
const MAX_LOCAL_KEYS = 10_000

/** This process's own counts, in bounded memory. */
export class LocalCounter implements WindowCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>()

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = MAX_LOCAL_KEYS,
  ) {}

  async hit(key: string): Promise<WindowCount> {
    const now = this.now()
    const current = this.windows.get(key)
    const window =
      current && now < current.endsAt ? current : { count: 0, endsAt: now + this.windowMs }
    window.count++
    // Last in the Map's order: the least recently hit key is the first.
    this.windows.delete(key)
    this.windows.set(key, window)
    if (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next()
      if (!oldest.done) this.windows.delete(oldest.value)
    }
    return { count: window.count, resetInMs: window.endsAt - now }
  }

  async undo(key: string): Promise<void> {
    const window = this.windows.get(key)
    if (window && window.count > 0) window.count--
  }
}

// A window starts with its first hit and expires with it, in one step.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`
// Only a key that still exists: a DECR on an expired one would start a count with no expiry.
const UNDO = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`

interface CountingRedis {
  windowHit(key: string, windowMs: number): Promise<[number, number]>
  windowUndo(key: string): Promise<number>
}

/** Counts in Redis under `namespace` (after the server's key prefix). */
export class RedisCounter implements WindowCounter {
  constructor(
    private readonly redis: SharedRedis,
    private readonly namespace: string,
    private readonly windowMs: number,
  ) {}

  private scripted<T>(name: string, command: (client: CountingRedis) => Promise<T>): Promise<T> {
    return this.redis.run(name, (client) => {
      // Defined once per connection: ioredis sends EVALSHA, and EVAL after a Redis restart.
      if (!('windowHit' in client)) {
        client.defineCommand('windowHit', { numberOfKeys: 1, lua: HIT })
        client.defineCommand('windowUndo', { numberOfKeys: 1, lua: UNDO })
      }
      return command(client as unknown as CountingRedis)
    })
  }

  async hit(key: string): Promise<WindowCount> {
    const [count, ttlMs] = await this.scripted('window_hit', (client) =>
      client.windowHit(this.namespace + key, this.windowMs),
    )
    return { count, resetInMs: Math.max(0, ttlMs) }
  }

  async undo(key: string): Promise<void> {
    await this.scripted('window_undo', (client) => client.windowUndo(this.namespace + key))
  }
}

/** Redis while it answers, this process's own counts while it does not. */
export class FallbackCounter implements WindowCounter {
  constructor(
    private readonly shared: WindowCounter,
    private readonly local: WindowCounter,
  ) {}

  private async either<T>(run: (counter: WindowCounter) => Promise<T>): Promise<T> {
    try {
      return await run(this.shared)
    } catch (error) {
      if (error instanceof RedisUnavailable) return run(this.local)
      throw error
    }
  }

  hit(key: string): Promise<WindowCount> {
    return this.either((counter) => counter.hit(key))
  }

  undo(key: string): Promise<void> {
    return this.either((counter) => counter.undo(key))
  }
}

/** Counts shared through Redis when there is one, with this process's own as the fallback. */
export function windowCounter(options: {
  redis: SharedRedis | null
  namespace: string
  windowMs: number
  now: () => number
}): WindowCounter {
  const { redis, namespace, windowMs, now } = options
  const local = new LocalCounter(windowMs, now)
  return redis ? new FallbackCounter(new RedisCounter(redis, namespace, windowMs), local) : local
}
