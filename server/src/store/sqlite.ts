import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, sql, SqliteDialect, type SqliteDatabase } from 'kysely'
import type { Engine } from './engine'
import type { Tables } from './tables'

export const SQLITE_FILE = 'weapp-login.sqlite3'

// The highest user_version this release knows: 0 is a new file, 1 one that the release before
// migrations made (or that migrations made; see the first migration).
const KNOWN_USER_VERSION = 1

// The store has a dozen SQL texts; the bound only guards against a caller that builds more.
const MAX_STATEMENTS = 100

/**
 * The database with its prepared statements kept: Kysely prepares each query's SQL anew, which
 * costs about as much as running it. Kysely runs one query at a time on SQLite, each to the end,
 * so a statement is never used twice at once.
 */
function keepingStatements(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>()
  return {
    close: () => database.close(),
    prepare: (sql) => {
      let statement = statements.get(sql)
      if (statement === undefined) {
        if (statements.size >= MAX_STATEMENTS) statements.clear()
        statement = database.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}

/** The embedded default: one file in DATA_DIR, for one process. */
export function openSqlite(dataDir: string): Engine {
  mkdirSync(dataDir, { recursive: true })
  const database = new Database(join(dataDir, SQLITE_FILE))
  try {
    database.pragma('journal_mode = WAL')
    // WAL with NORMAL loses at most the last transactions on a power cut, never consistency.
    database.pragma('synchronous = NORMAL')
    database.pragma('foreign_keys = ON')
    // A deleted row, or the old bytes of one overwritten, is zeroed in the file rather than left
    // in free space for anyone with a copy of it to read: account deletion must delete.
    database.pragma('secure_delete = ON')
    const version = Number(database.pragma('user_version', { simple: true }))
    if (version > KNOWN_USER_VERSION) {
      throw new Error(
        `${dataDir} holds schema version ${version}, newer than this release knows (${KNOWN_USER_VERSION})`,
      )
    }
  } catch (error) {
    database.close()
    throw error
  }
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: keepingStatements(database) }),
  })
  return {
    name: 'sqlite',
    db,
    // A local file has no outage to wait out: whatever fails is a bug or a broken disk.
    unreachable: () => null,
    // The log still holds the pages as they were before: checkpointed into the file (zeroed there)
    // and truncated to nothing. One process holds the file, so no reader keeps the log alive.
    scrub: async () => {
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db)
    },
  }
}
