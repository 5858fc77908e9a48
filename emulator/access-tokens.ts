import { createHash, randomBytes } from 'node:crypto'
import { WECHAT_ERRCODE as E } from '../common/wechat-errcodes'

/**
 * WeChat's two access tokens (getAccessToken and getStableAccessToken docs): `classic` from
 * GET /cgi-bin/token, `stable` from POST /cgi-bin/stable_token. The two are isolated: issuing one
 * kind never touches the other. Within a kind, a new token makes the one before it "not latest"
 * after five minutes of overlap, and the one before that at once (so two force refreshes 30 s
 * apart kill a leaked token, as the stable_token doc advises).
 */
export type TokenKind = 'classic' | 'stable'

export type IssuedToken = { access_token: string; expires_in: number }

interface Token {
  value: string
  expiresAt: number
  /** From then on it answers 40001 ("not latest"); null while it is the latest of its kind. */
  supersededAt: number | null
}

const TTL_MS = 7200_000
// Both tokens work for five minutes after the next one is handed out; stable_token also hands
// out the next one when asked during the last five minutes of the current one.
const OVERLAP_MS = 300_000
// "连续使用该模式时，请保证调用时间隔至少为30s，否则不会刷新"
const FORCE_REFRESH_SPACING_MS = 30_000

export class AccessTokens {
  /**
   * By each token's SHA-256, so that a lookup compares digests, not the secret itself. Insertion
   * order is issue order, so the front holds the oldest.
   */
  private readonly tokens = new Map<string, Token>()
  private readonly latest: Record<TokenKind, [Token | null, Token | null]> = {
    classic: [null, null],
    stable: [null, null],
  }
  private lastForcedAt = -Infinity

  constructor(
    private readonly now: () => number,
    private readonly maxTokens: number,
  ) {}

  get size(): number {
    return this.tokens.size
  }

  /** GET /cgi-bin/token: a new token at every call. */
  classic(): IssuedToken {
    const now = this.now()
    return this.answer(this.issue('classic', now), now)
  }

  /** POST /cgi-bin/stable_token: the same token for its lifetime, unless forced and allowed. */
  stable(forceRefresh: boolean): IssuedToken {
    const now = this.now()
    const [current] = this.latest.stable
    const forced = forceRefresh && now - this.lastForcedAt >= FORCE_REFRESH_SPACING_MS
    if (forced) this.lastForcedAt = now
    if (current && !forced && this.isLive(current, now) && current.expiresAt - now > OVERLAP_MS) {
      return this.answer(current, now)
    }
    return this.answer(this.issue('stable', now), now)
  }

  /** null when the token works; else the errcode WeChat answers for it. */
  check(value: string): number | null {
    const token = this.tokens.get(digest(value))
    if (!token) return E.INVALID_ACCESS_TOKEN
    const now = this.now()
    if (this.isLive(token, now)) return null
    return token.supersededAt !== null && token.supersededAt < token.expiresAt
      ? E.ACCESS_TOKEN_NOT_LATEST
      : E.ACCESS_TOKEN_EXPIRED
  }

  /** Every token handed out so far answers 40001 from now on, as if someone else had refreshed. */
  retireAll(): void {
    const now = this.now()
    for (const token of this.tokens.values()) {
      if (token.supersededAt === null || token.supersededAt > now) token.supersededAt = now
    }
  }

  clear(): void {
    this.tokens.clear()
    this.latest.classic = [null, null]
    this.latest.stable = [null, null]
    this.lastForcedAt = -Infinity
  }

  private isLive(token: Token, now: number): boolean {
    return now < token.expiresAt && (token.supersededAt === null || now < token.supersededAt)
  }

  private issue(kind: TokenKind, now: number): Token {
    const [current, previous] = this.latest[kind]
    if (previous && (previous.supersededAt === null || previous.supersededAt > now)) {
      previous.supersededAt = now
    }
    if (current && (current.supersededAt === null || current.supersededAt > now + OVERLAP_MS)) {
      current.supersededAt = now + OVERLAP_MS
    }
    const token: Token = {
      value: 'EMU' + randomBytes(48).toString('base64url'),
      expiresAt: now + TTL_MS,
      supersededAt: null,
    }
    this.tokens.set(digest(token.value), token)
    this.latest[kind] = [token, current]
    this.evict()
    return token
  }

  /** Forgets the oldest tokens, never the two latest of a kind, which callers may still hold. */
  private evict(): void {
    const kept = new Set([...this.latest.classic, ...this.latest.stable])
    for (const [key, token] of this.tokens) {
      if (this.tokens.size <= this.maxTokens) break
      if (!kept.has(token)) this.tokens.delete(key)
    }
  }

  private answer(token: Token, now: number): IssuedToken {
    return { access_token: token.value, expires_in: Math.floor((token.expiresAt - now) / 1000) }
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64')
}
