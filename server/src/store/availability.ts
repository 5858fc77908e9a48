/** Where the store reports an outage: a pino logger, or anything with these two methods. */
export interface StoreLog {
  error(message: string): void
  info(message: string): void
}

/** The database cannot be reached now: a reason to retry, not a bug. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`the database cannot be reached (${reason})`, options)
    this.name = 'StoreUnavailableError'
  }
}

/**
 * Whether the database was reachable last time: an outage is logged once when it starts and once
 * when it ends, however many requests meet it in between.
 */
export class Availability {
  private down = false

  constructor(private readonly log: StoreLog) {}

  lost(reason: string): void {
    if (this.down) return
    this.down = true
    // Requests meanwhile answer 503 STORE_UNAVAILABLE, each without a line of its own.
    this.log.error(`the database cannot be reached (${reason})`)
  }

  reached(): void {
    if (!this.down) return
    this.down = false
    this.log.info('the database is reachable again')
  }
}
