import { randomBytes } from 'node:crypto'

export type Redemption<T> = { value: T } | { error: 'unknown' | 'used' | 'expired' }

interface Entry<T> {
  value: T
  issuedAt: number
  used: boolean
}

/** Single-use codes that expire, as WeChat's login and phone codes do. */
export class CodeBook<T> {
  // A Map iterates in insertion order, which is issue order: expired codes sit at the front.
  private readonly entries = new Map<string, Entry<T>>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  issue(value: T, code: string = randomBytes(16).toString('hex')): string {
    const now = this.now()
    for (const [oldCode, entry] of this.entries) {
      if (now - entry.issuedAt <= this.ttlMs) break
      this.entries.delete(oldCode)
    }
    this.entries.set(code, { value, issuedAt: now, used: false })
    return code
  }

  redeem(code: string): Redemption<T> {
    const entry = this.entries.get(code)
    if (!entry) return { error: 'unknown' }
    if (this.now() - entry.issuedAt > this.ttlMs) return { error: 'expired' }
    if (entry.used) return { error: 'used' }
    entry.used = true
    return { value: entry.value }
  }

  clear(): void {
    this.entries.clear()
  }
}
