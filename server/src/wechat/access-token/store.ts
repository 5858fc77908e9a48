/** One access token, with when to refresh it and when WeChat stops taking it (epoch ms). */
export interface StoredToken {
  token: string
  refreshAt: number
  expiresAt: number
}

/** The right to refresh the token; whoever holds it releases it after storing the new one. */
export interface RefreshLock {
  release(): Promise<void>
}

/**
 * Where the access token lives: this process's memory by default, or a store every instance
 * shares (Redis), as silenceper/wechat's cache. The refresh logic is the cache's (access-token.ts);
 * a store only keeps the token and hands out the right to refresh it.
 */
export interface AccessTokenStore {
  get(): Promise<StoredToken | null>
  set(token: StoredToken): Promise<void>
  /**
   * Drops `token` if it is still the stored one, in one step: of many callers that WeChat
   * rejected with the same token, only the first drops it, and none drops its successor.
   */
  invalidate(token: string): Promise<void>
  /** The right to refresh, or null while someone else holds it (for a bounded time). */
  tryLock(): Promise<RefreshLock | null>
}

/** A shared store that cannot be reached now: the cache falls back to this process's memory. */
export class TokenStoreUnavailable extends Error {
  constructor(reason: string, options: { cause: unknown }) {
    super(`the shared access-token store cannot be reached (${reason})`, options)
    this.name = 'TokenStoreUnavailable'
  }
}

const UNLOCK: RefreshLock = { release: async () => undefined }

/**
 * This process's memory. The cache already lets one refresh at a time run in a process, so
 * the lock is always free.
 */
export class MemoryTokenStore implements AccessTokenStore {
  private stored: StoredToken | null = null

  async get(): Promise<StoredToken | null> {
    return this.stored
  }

  async set(token: StoredToken): Promise<void> {
    this.stored = token
  }

  async invalidate(token: string): Promise<void> {
    if (this.stored?.token === token) this.stored = null
  }

  async tryLock(): Promise<RefreshLock> {
    return UNLOCK
  }
}

/**
 * A shared store that falls back to this process's memory while it cannot be reached, and is
 * used again as soon as it answers. The memory keeps the last token seen in the shared store, so
 * an outage begins with a token that works rather than a refresh.
 */
export class FallbackTokenStore implements AccessTokenStore {
  constructor(
    private readonly shared: AccessTokenStore,
    private readonly local = new MemoryTokenStore(),
  ) {}

  private async either<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      return await shared()
    } catch (error) {
      if (error instanceof TokenStoreUnavailable) return local()
      throw error
    }
  }

  get(): Promise<StoredToken | null> {
    return this.either(
      async () => {
        const token = await this.shared.get()
        if (token) await this.local.set(token)
        return token
      },
      () => this.local.get(),
    )
  }

  async set(token: StoredToken): Promise<void> {
    await this.local.set(token)
    await this.either(
      () => this.shared.set(token),
      async () => undefined,
    )
  }

  async invalidate(token: string): Promise<void> {
    await this.local.invalidate(token)
    await this.either(
      () => this.shared.invalidate(token),
      async () => undefined,
    )
  }

  async tryLock(): Promise<RefreshLock | null> {
    const lock = await this.either<RefreshLock | null>(
      () => this.shared.tryLock(),
      () => this.local.tryLock(),
    )
    // A lock the shared store cannot release now expires there by itself.
    return lock && { release: () => this.either(lock.release, async () => undefined) }
  }
}
