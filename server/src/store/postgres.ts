import { Kysely, PostgresDialect } from 'kysely'
import { DatabaseError, Pool, TypeOverrides, types } from 'pg'
import type { DatabaseConfig } from '../config'
import type { Engine } from './engine'
import type { Tables } from './tables'

/** How long a query waits for a connection before its request answers 503. */
export const CONNECT_TIMEOUT_MS = 5_000

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
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
    unreachable,
  }
}
