import {
  Kysely,
  PostgresDialect,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely'
import { DatabaseError, Pool, type PoolClient, TypeOverrides, types } from 'pg'
import type { DatabaseConfig } from '../config/config'
import type { Engine } from './engine'
import type { Tables } from './tables'

/** How long a query waits for a connection before its request answers 503. */
export const CONNECT_TIMEOUT_MS = 5_000
/**
 * How long a statement may go unanswered: a PostgreSQL that accepts connections but never answers
 * (stopped with SIGSTOP, a host gone without closing its sockets) would otherwise hold each
 * request, and each pool connection, for as long as TCP takes to give up. Every statement here
 * takes milliseconds; a migration waiting for another instance's lock takes as long as its
 * migration.
 */
export const QUERY_TIMEOUT_MS = 10_000
const QUERY_TIMED_OUT = 'Query read timeout'

// pg hands 64-bit integers over as strings, as they may exceed 2^53; the only ones here are
// epoch milliseconds, which do not.
const parsers = new TypeOverrides()
parsers.setTypeParser(types.builtins.INT8, Number)

// SQLSTATEs of a server that cannot serve now, as opposed to a statement it refuses:
// class 08 (connection exception), class 53 (insufficient resources: too many connections, disk
// full), 57P01 to 57P03 (admin shutdown, crash shutdown, cannot connect now: starting or stopping).
const UNAVAILABLE_STATE = /^(?:08|53|57P0[1-3])/
// Node's own codes for a socket that never connected or died.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// What pg says, with no code, of a connection that ended, broke or could not be had in time.
const LOST_CONNECTION = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  QUERY_TIMED_OUT,
]

function unreachable(error: unknown): string | null {
  if (error instanceof DatabaseError) {
    return error.code !== undefined && UNAVAILABLE_STATE.test(error.code)
      ? `${error.code} ${error.message}`
      : null
  }
  // Node's socket errors need not be instances of this realm's Error (jest runs code in a vm
  // context): their fields tell.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return code
  if (typeof message !== 'string') return null
  return LOST_CONNECTION.some((lost) => message.startsWith(lost)) ? message : null
}

/**
 * PostgreSQL through a pool of `poolMax` connections. A connection that breaks, idle in the pool
 * or in use, is reported to `onLost` and replaced on the next query: the process never dies of
 * it, and serves again as soon as the server is back.
 */
export function openPostgres(config: DatabaseConfig, onLost: (reason: string) => void): Engine {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: config.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'weapp-login',
    types: parsers,
  })
  const lost = (error: Error) => onLost(unreachable(error) ?? error.message)
  // Without these listeners a connection that the server closes (a restart, an admin's
  // pg_terminate_backend) is an unhandled 'error' event, which ends the process.
  pool.on('error', lost)
  pool.on('connect', (client) => client.on('error', lost))
  return {
    name: 'postgres',
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool: discardingTimedOut(pool) }) }),
    unreachable,
    // Old row versions stay in the table's files until (auto)vacuum reclaims them, and in the WAL
    // archive and backups for as long as those are kept: server/README › Personal information.
    scrub: () => Promise.resolve(),
  }
}

/**
 * The pool as Kysely takes it, but for one thing: pg fails a query that outlives query_timeout,
 * yet its connection still waits for that query's answer, and the next query on it would wait
 * behind it. Such a connection is destroyed when Kysely gives it back, not pooled.
 */
function discardingTimedOut(pool: Pool): PostgresPool {
  return {
    connect: async () => new DiscardingClient(await pool.connect()),
    end: () => pool.end(),
  }
}

class DiscardingClient implements PostgresPoolClient {
  private timedOut = false

  constructor(private readonly client: PoolClient) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // The store streams nothing; the dialect would need its cursor option first.
    if (typeof sql !== 'string') throw new Error('cursors are not configured')
    return this.client.query(sql, [...parameters]).then(
      // pg names the command as a string; Kysely reads the ones it lists.
      (result) => result as unknown as PostgresQueryResult<R>,
      (error: unknown) => {
        if ((error as { message?: unknown } | null)?.message === QUERY_TIMED_OUT) {
          this.timedOut = true
        }
        throw error
      },
    )
  }

  release(destroy?: boolean): void {
    this.client.release(this.timedOut || destroy === true)
  }
}
