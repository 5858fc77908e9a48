/**
 * Time for the auth module's tests: a clock that moves only when the test drives it. Timers are
 * fired in order of their due time, and between two of them every pending promise reaction runs,
 * so a test sees the same interleaving on a loaded machine as on an idle one.
 */
import { setImmediate } from 'node:timers'

interface Timer {
  at: number
  seq: number
  fire: () => void
}

/**
 * Lets every queued promise reaction run, those they queue included: Node drains the whole
 * microtask queue before it reaches the check phase. Not a timer: no time passes.
 */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class VirtualClock {
  private current: number
  private timers: Timer[] = []
  private seq = 0

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  /** Runs `fire` once the clock reaches now + ms; the returned function cancels it. */
  schedule(ms: number, fire: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire }
    this.timers.push(timer)
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
    return () => {
      const index = this.timers.indexOf(timer)
      if (index >= 0) this.timers.splice(index, 1)
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve))
  }

  /**
   * Drives `work` to its end: lets the reactions run, and while it is still waiting, moves the
   * clock to the next timer. Fails at once, instead of hanging, when nothing is left that could
   * ever settle it.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false
    const done = work.then(
      () => (settled = true),
      () => (settled = true),
    )
    await flush()
    while (!settled) {
      if (this.timers.length === 0) {
        throw new Error('deadlock: the work waits for something no timer or answer will bring')
      }
      await this.fireNext()
    }
    await done
    return work
  }

  private async fireNext(): Promise<void> {
    const timer = this.timers.shift()
    if (!timer) return
    this.current = Math.max(this.current, timer.at)
    timer.fire()
    await flush()
  }
}
