import { Redis } from 'ioredis'
import type { RedisConfig } from '../config/config'
import { RedisUnavailable, type SharedRedis } from './shared'

/** Where the connection reports an outage: a pino logger, or anything with these two methods. */
export interface RedisLog {
  warn(message: string): void
  info(message: string): void
}

export const DEFAULT_KEY_PREFIX = 'weapp-login:'

// Redis is a shortcut here, never a reason to fail a login or to make it slow. A command sent
// while the connection is down fails at once (no offline queue, no retry of a command whose
// connection dropped), a connection attempt gives up within a second, and a Redis that accepts
// but does not answer (stopped, or a host gone without a word) costs a command 250 ms: that one
// command makes Redis suspect, and until a PING gets an answer (one a second) no request sends
// it anything.
export const REDIS_TIMEOUTS = {
  connectMs: 1000,
  commandMs: 250,
  reconnectMaxMs: 1000,
  probeMs: 1000,
}

/**
 * Whether Redis answers: logged once when an outage starts and once when it ends, however many
 * requests meet it in between, with what the server does meanwhile. One command that timed out
 * makes Redis `suspect`: nothing more is sent to it but a PING, and only if that goes unanswered
 * too is it an outage; a reply that was slow once (a busy machine) is not.
 */
class Reachability {
  private state: 'connecting' | 'up' | 'suspect' | 'down' = 'connecting'
  private reason = 'not connected'

  constructor(private readonly log: RedisLog) {}

  get up(): boolean {
    return this.state === 'up'
  }

  get why(): string {
    return this.reason
  }

  /** The first connection did not become ready in time, and nothing said why. */
  notReadyIn(ms: number): void {
    if (this.state === 'connecting') this.lost(`no answer within ${ms} ms`)
  }

  /** A command went unanswered in time: Redis may be stopped, or only slow once. */
  suspect(reason: string): void {
    this.reason = reason
    if (this.state === 'up') this.state = 'suspect'
  }

  get suspected(): boolean {
    return this.state === 'suspect'
  }

  lost(reason: string): void {
    this.reason = reason
    if (this.state === 'down') return
    this.state = 'down'
    this.log.warn(
      `Redis cannot be reached (${reason}): until it is back, each instance counts its own rate ` +
        'limit and decryption failures, and keeps its own WeChat access token',
    )
  }

  reached(): void {
    const was = this.state
    this.state = 'up'
    if (was === 'down') {
      this.log.info(
        'Redis is reachable again: the rate limit, the decryption budget and the access token ' +
          'are shared',
      )
    }
  }
}

/** What an outage is called in the log: never the URL, which may hold a password. */
function reasonOf(error: unknown): string {
  // Node's errors come from another realm under a test runner's sandbox: no instanceof.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string') return code
  return typeof message === 'string' ? message : String(error)
}

/** ioredis's commandTimeout: the connection is open, the answer did not come. */
function isTimeout(error: unknown): boolean {
  return (error as { message?: unknown } | null)?.message === 'Command timed out'
}

/**
 * Connects to Redis and waits for the first connection, at most `connectMs`: a Redis that is down
 * at start is an outage like any other (logged, then retried in the background), not a reason to
 * refuse to start. Reconnects for as long as the server runs.
 */
export async function connectRedis(
  config: RedisConfig,
  log: RedisLog,
  keyPrefix = DEFAULT_KEY_PREFIX,
): Promise<SharedRedis> {
  const reachability = new Reachability(log)
  let closing = false
  const client = new Redis(config.url, {
    // What CLIENT LIST shows for these connections.
    connectionName: 'weapp-login',
    keyPrefix,
    connectTimeout: REDIS_TIMEOUTS.connectMs,
    commandTimeout: REDIS_TIMEOUTS.commandMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_TIMEOUTS.reconnectMaxMs),
  })
  client.on('ready', () => reachability.reached())
  // Every failed attempt to reconnect emits one (a wrong password too): the first is logged.
  client.on('error', (error: Error) => {
    if (!closing) reachability.lost(reasonOf(error))
  })
  client.on('close', () => {
    if (!closing) reachability.lost('connection closed')
  })

  // A connection that stays open while Redis does not answer (stopped with SIGSTOP, its host
  // gone) never closes nor becomes ready again: a PING tells when it answers again.
  let probing = false
  const probeNow = (): void => {
    if (reachability.up || probing || client.status !== 'ready') return
    probing = true
    client
      .ping()
      .then(
        () => reachability.reached(),
        (error: unknown) => {
          if (reachability.suspected) reachability.lost(reasonOf(error))
        },
      )
      .finally(() => (probing = false))
  }
  const probe = setInterval(probeNow, REDIS_TIMEOUTS.probeMs)
  probe.unref()

  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      client.off('ready', done)
      client.off('error', done)
      resolve()
    }
    const timer = setTimeout(done, REDIS_TIMEOUTS.connectMs)
    client.once('ready', done)
    client.once('error', done)
  })
  // Connected, maybe, but never ready: a Redis that accepts and does not answer.
  reachability.notReadyIn(REDIS_TIMEOUTS.connectMs)

  return {
    get up() {
      return reachability.up
    },
    async run(_name, command) {
      if (!reachability.up) throw new RedisUnavailable(reachability.why)
      try {
        return await command(client)
      } catch (error) {
        const reason = reasonOf(error)
        if (isTimeout(error)) {
          reachability.suspect(reason)
          probeNow()
        } else reachability.lost(reason)
        throw new RedisUnavailable(reason, { cause: error })
      }
    },
    async close() {
      closing = true
      clearInterval(probe)
      if (client.status !== 'ready' || !reachability.up) {
        client.disconnect()
        return
      }
      // QUIT lets the replies in flight arrive; a Redis that went away meanwhile is simply left.
      await client.quit().catch(() => client.disconnect())
    },
  }
}
