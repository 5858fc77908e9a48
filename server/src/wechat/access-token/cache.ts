import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { ACCESS_TOKEN_REJECTED } from '../../../../common/wechat-errcodes'
import { ApiError } from '../../http/errors'
import type { WechatMetrics } from '../../metrics/metrics'
import { MemoryTokenStore, type AccessTokenStore, type StoredToken } from './store'

const REFRESH_AHEAD_S = 300
// After an early refresh failed, the next try waits this long: each try costs the caller that
// starts it every retry and timeout of an unreachable WeChat, and the old token still works.
const REFRESH_RETRY_MS = 30_000
/**
 * How long a caller without a working token waits for another instance's refresh: past the
 * refresh lock's lifetime (redis/access-token-store.ts), the lock of a holder that died is free.
 */
export const PEER_REFRESH_WAIT_MS = 12_000
const PEER_POLL_MS = 20

export interface FetchedToken {
  accessToken: string
  expiresInS: number
}

/**
 * One access token shared by every caller, in a store that may be shared by several instances:
 * refreshed ahead of expiry by one request at a time (one per process, and one among all the
 * processes of a shared store), which the others wait for, so a burst of calls costs one
 * stable_token call.
 */
export class AccessTokenCache {
  private refreshing: Promise<string> | null = null

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
    private readonly store: AccessTokenStore = new MemoryTokenStore(),
    private readonly metrics?: Pick<WechatMetrics, 'accessTokenRefresh'>,
  ) {}

  /** Runs `request` with the token; if WeChat rejects the token, refreshes once and retries once. */
  async call<R extends { errcode: number }>(request: (token: string) => Promise<R>): Promise<R> {
    const token = await this.token()
    const reply = await request(token)
    if (!ACCESS_TOKEN_REJECTED.has(reply.errcode)) return reply
    // Only the first of many callers rejected with the same token drops it; the rest join
    // the refresh it starts, or already find the new token.
    await this.store.invalidate(token)
    return request(await this.token())
  }

  private async token(): Promise<string> {
    const stored = await this.store.get()
    if (stored && this.now() < stored.refreshAt) return stored.token
    this.refreshing ??= this.refresh(stored).finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  private async refresh(seen: StoredToken | null): Promise<string> {
    const deadline = performance.now() + PEER_REFRESH_WAIT_MS
    for (;;) {
      const lock = await this.store.tryLock()
      if (lock) {
        try {
          return await this.refreshHolding()
        } finally {
          await lock.release()
        }
      }
      // Another instance refreshes. A token in its last minutes still works meanwhile.
      if (seen && this.now() < seen.expiresAt) return seen.token
      if (performance.now() > deadline) {
        throw new ApiError('WECHAT_UNAVAILABLE', "another instance's access-token refresh hangs")
      }
      // Its refresh has no event to wait for across processes: look again shortly.
      await sleep(PEER_POLL_MS)
      const stored = await this.store.get()
      if (stored && this.now() < stored.refreshAt) return this.byAnother(stored.token)
    }
  }

  /** The token another caller refreshed while this one waited: in a shared store, another instance. */
  private byAnother(token: string): string {
    this.metrics?.accessTokenRefresh('another_instance', 'success')
    return token
  }

  private async refreshHolding(): Promise<string> {
    // Whoever held the lock before may have refreshed since this caller looked.
    const current = await this.store.get()
    if (current && this.now() < current.refreshAt) return this.byAnother(current.token)
    let fetched: FetchedToken
    try {
      fetched = await this.fetchToken()
      this.metrics?.accessTokenRefresh('this_instance', 'success')
    } catch (error) {
      this.metrics?.accessTokenRefresh('this_instance', 'failure')
      // An early refresh that fails is no reason to drop a token that still works.
      const now = this.now()
      if (current && now < current.expiresAt) {
        const refreshAt = Math.min(current.expiresAt, now + REFRESH_RETRY_MS)
        await this.store.set({ ...current, refreshAt })
        return current.token
      }
      throw error
    }
    const now = this.now()
    const ahead = Math.min(REFRESH_AHEAD_S, fetched.expiresInS / 2)
    const token: StoredToken = {
      token: fetched.accessToken,
      refreshAt: now + (fetched.expiresInS - ahead) * 1000,
      expiresAt: now + fetched.expiresInS * 1000,
    }
    await this.store.set(token)
    return token.token
  }
}
