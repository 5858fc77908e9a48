import { randomBytes } from 'node:crypto'

export type Redemption<T> = { value: T } | { error: 'unknown' | 'used' | 'expired' }

interface Entry<T> {
  value: T
  issuedAt: number
}

export interface CodeBookLimits {
  /** Unused codes kept at most; past it the oldest is forgotten, as if it had expired. */
  maxUnused: number
  /** Used codes remembered, only to answer "used" rather than "unknown" for a replay. */
  maxUsed: number
}

// A caller may mint a whole benchmark's codes before redeeming any, so unused codes are bounded
// by their lifetime first; the cap only stops a runaway loop. Used codes are kept just for the
// replay answer: the latest few thousand are enough, and a long run does not pile up every code
// it ever redeemed.
export const DEFAULT_CODE_BOOK_LIMITS: CodeBookLimits = { maxUnused: 100_000, maxUsed: 5_000 }

/** Single-use codes that expire, as WeChat's login and phone codes do. */
export class CodeBook<T> {
  // A Map iterates in insertion order, which is issue order: expired codes sit at the front.
  private readonly unused = new Map<string, Entry<T>>()
  // Redemption order; the value is the issue time, to tell "used" from "expired".
  private readonly used = new Map<string, number>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly limits: CodeBookLimits = DEFAULT_CODE_BOOK_LIMITS,
  ) {}

  /** Codes held in memory, used or not: for tests that prove the book stays bounded. */
  get size(): number {
    return this.unused.size + this.used.size
  }

  issue(value: T, code: string = randomBytes(16).toString('hex')): string {
    const now = this.now()
    for (const [oldCode, entry] of this.unused) {
      if (now - entry.issuedAt <= this.ttlMs && this.unused.size < this.limits.maxUnused) break
      this.unused.delete(oldCode)
    }
    // A reissued code goes to the back, so the front stays the oldest.
    this.unused.delete(code)
    this.used.delete(code)
    this.unused.set(code, { value, issuedAt: now })
    return code
  }

  redeem(code: string): Redemption<T> {
    const now = this.now()
    const entry = this.unused.get(code)
    if (!entry) {
      const issuedAt = this.used.get(code)
      if (issuedAt === undefined) return { error: 'unknown' }
      return { error: now - issuedAt > this.ttlMs ? 'expired' : 'used' }
    }
    if (now - entry.issuedAt > this.ttlMs) return { error: 'expired' }
    this.unused.delete(code)
    this.used.set(code, entry.issuedAt)
    for (const oldCode of this.used.keys()) {
      if (this.used.size <= this.limits.maxUsed) break
      this.used.delete(oldCode)
    }
    return { value: entry.value }
  }

  clear(): void {
    this.unused.clear()
    this.used.clear()
  }
}
