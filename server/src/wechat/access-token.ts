// The codes WeChat answers for an access token it no longer takes.
const TOKEN_REJECTED = new Set([40001, 42001, 40014])
const REFRESH_AHEAD_S = 300
// After an early refresh failed, the next try waits this long: each try costs the caller that
// starts it every retry and timeout of an unreachable WeChat, and the old token still works.
const REFRESH_RETRY_MS = 30_000

export interface FetchedToken {
  accessToken: string
  expiresInS: number
}

interface CachedToken {
  token: string
  refreshAt: number
  expiresAt: number
}

/**
 * One access token shared by every caller: refreshed ahead of expiry by a single in-flight
 * request that all callers wait on, so a burst of calls costs one stable_token call.
 */
export class AccessTokenCache {
  private cached: CachedToken | null = null
  private refreshing: Promise<string> | null = null

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
  ) {}

  /** Runs `request` with the token; if WeChat rejects the token, refreshes once and retries once. */
  async call<R extends { errcode: number }>(request: (token: string) => Promise<R>): Promise<R> {
    const token = await this.token()
    const reply = await request(token)
    if (!TOKEN_REJECTED.has(reply.errcode)) return reply
    // Only the first of many callers rejected with the same token drops it; the rest join
    // the refresh it starts, or already find the new token.
    if (this.cached?.token === token) this.cached = null
    return request(await this.token())
  }

  private token(): Promise<string> {
    const cached = this.cached
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token)
    this.refreshing ??= this.refresh(cached).finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private async refresh(previous: CachedToken | null): Promise<string> {
    let fetched: FetchedToken
    try {
      fetched = await this.fetchToken()
    } catch (error) {
      // An early refresh that fails is no reason to drop a token that still works.
      const now = this.now()
      if (previous && previous === this.cached && now < previous.expiresAt) {
        const refreshAt = Math.min(previous.expiresAt, now + REFRESH_RETRY_MS)
        this.cached = { ...previous, refreshAt }
        return previous.token
      }
      throw error
    }
    const now = this.now()
    const ahead = Math.min(REFRESH_AHEAD_S, fetched.expiresInS / 2)
    this.cached = {
      token: fetched.accessToken,
      refreshAt: now + (fetched.expiresInS - ahead) * 1000,
      expiresAt: now + fetched.expiresInS * 1000,
    }
    return fetched.accessToken
  }
}
