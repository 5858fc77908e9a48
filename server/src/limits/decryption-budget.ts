import { ApiError } from '../http/errors'
import type { WindowCounter } from './window-counter'

// Each payload that fails to open tells its sender one bit, however uniform the answer: a few
// thousand of them, sent with one's own token, are what a padding-oracle attack costs. A user's
// failures are counted on their own, in Redis across instances (this process's own while it does
// not answer), and past a small budget an hour the user's payloads are not even tried: the
// answer then says nothing about any of them.

export const DECRYPTION_FAILURES_PER_HOUR = 10
export const DECRYPTION_BUDGET_WINDOW_MS = 3_600_000

export class DecryptionBudget {
  constructor(
    /** Counts per user id, over DECRYPTION_BUDGET_WINDOW_MS. */
    private readonly failures: WindowCounter,
    private readonly perHour = DECRYPTION_FAILURES_PER_HOUR,
  ) {}

  /**
   * Runs `open` (a decryption and what reads its result) for `userId`, unless the user's failures
   * this hour are used up: 429 RATE_LIMITED then, before any decryption. The attempt counts
   * before it runs, so that concurrent ones cannot all slip under the budget; a success is
   * taken back.
   */
  async spend<T>(userId: string, open: () => T): Promise<T> {
    const { count, resetInMs } = await this.failures.hit(userId)
    if (count > this.perHour) {
      const minutes = Math.max(1, Math.ceil(resetInMs / 60_000))
      throw new ApiError(
        'RATE_LIMITED',
        `too many of this user's payloads failed to decrypt; retry in ${minutes} min`,
      )
    }
    const opened = open()
    await this.failures.undo(userId)
    return opened
  }
}
