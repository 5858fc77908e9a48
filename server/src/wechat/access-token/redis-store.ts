import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { SharedRedis } from '../../redis/shared'
import {
  TokenStoreUnavailable,
  type AccessTokenStore,
  type RefreshLock,
  type StoredToken,
} from './store'

/** Longer than a whole stable_token call with its retries (about 5 s), so one refresh holds it. */
export const REFRESH_LOCK_MS = 10_000

// Each deletes its key only if it still holds what the caller saw, in one step: between a GET and
// a DEL another instance may have stored its token, or taken the lock after this one expired.
const DROP_TOKEN = `
local stored = redis.call('GET', KEYS[1])
if stored and cjson.decode(stored).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

type ScriptedRedis = Redis & {
  dropAccessToken(key: string, token: string): Promise<number>
  releaseRefreshLock(key: string, owner: string): Promise<number>
}

function withScripts(redis: Redis): ScriptedRedis {
  // Defined once per connection: ioredis sends EVALSHA, and EVAL after a Redis restart.
  if (!('dropAccessToken' in redis)) {
    redis.defineCommand('dropAccessToken', { numberOfKeys: 1, lua: DROP_TOKEN })
    redis.defineCommand('releaseRefreshLock', { numberOfKeys: 1, lua: RELEASE_LOCK })
  }
  return redis as ScriptedRedis
}

function isStoredToken(value: unknown): value is StoredToken {
  const token = value as Partial<StoredToken> | null
  return (
    typeof token?.token === 'string' &&
    typeof token.refreshAt === 'number' &&
    typeof token.expiresAt === 'number'
  )
}

/**
 * The access token in Redis, for every instance of one mini-program (the key holds the appid): a
 * JSON value that expires with the token, and a refresh lock taken with SET NX PX and released
 * only by its owner. Every failure of Redis is a TokenStoreUnavailable.
 */
export class RedisTokenStore implements AccessTokenStore {
  private readonly tokenKey: string
  private readonly lockKey: string

  constructor(
    private readonly redis: SharedRedis,
    appid: string,
    private readonly now: () => number,
  ) {
    this.tokenKey = `wechat-access-token:${appid}`
    this.lockKey = `wechat-access-token-refresh:${appid}`
  }

  private async command<T>(name: string, run: (redis: ScriptedRedis) => Promise<T>): Promise<T> {
    try {
      return await this.redis.run(name, (client) => run(withScripts(client)))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new TokenStoreUnavailable(reason, { cause: error })
    }
  }

  async get(): Promise<StoredToken | null> {
    const value = await this.command('access_token_get', (redis) => redis.get(this.tokenKey))
    if (value === null) return null
    try {
      const parsed: unknown = JSON.parse(value)
      return isStoredToken(parsed) ? parsed : null
    } catch {
      return null
    }
  }

  async set(token: StoredToken): Promise<void> {
    const ttlMs = Math.max(1, token.expiresAt - this.now())
    await this.command('access_token_set', (redis) =>
      redis.set(this.tokenKey, JSON.stringify(token), 'PX', ttlMs),
    )
  }

  async invalidate(token: string): Promise<void> {
    await this.command('access_token_drop', (redis) => redis.dropAccessToken(this.tokenKey, token))
  }

  async tryLock(): Promise<RefreshLock | null> {
    const owner = randomBytes(16).toString('base64url')
    const taken = await this.command('refresh_lock_take', (redis) =>
      redis.set(this.lockKey, owner, 'PX', REFRESH_LOCK_MS, 'NX'),
    )
    if (taken !== 'OK') return null
    return {
      release: async () => {
        await this.command('refresh_lock_release', (redis) =>
          redis.releaseRefreshLock(this.lockKey, owner),
        )
      },
    }
  }
}
