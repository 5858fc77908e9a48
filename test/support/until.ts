import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Resolves once `condition` holds, checking it every 20 ms: for a state with no event to wait on
 * (another process reconnected, a port answers). Rejects, naming `what`, after `timeoutMs`: a
 * bound that only a broken run reaches, never a timing the test relies on.
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting, after ${timeoutMs} ms, for ${what}`)
    await sleep(20)
  }
}
