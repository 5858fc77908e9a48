import { isAuthError, type AuthError } from './errors'
import type { Platform } from './platform'

export interface RetryPolicy {
  /** All tries together, the first one included. */
  tries: number
  baseDelayMs: number
  maxDelayMs: number
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so many clients
 * failing together (a gateway restart) do not come back in lockstep.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return step / 2 + (random() * step) / 2
}

/** Runs `attempt` until it succeeds, fails for good, or the tries are used up. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  platform: Pick<Platform, 'sleep' | 'random'>,
  retryable: (err: AuthError) => boolean = (err) => err.transient,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (err) {
      if (n >= policy.tries || !isAuthError(err) || !retryable(err)) throw err
      await platform.sleep(backoffDelay(n, policy, platform.random))
    }
  }
}
