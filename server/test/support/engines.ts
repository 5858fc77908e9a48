/** The store's two engines, each as a fresh, empty store configuration, for suites run on both. */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { PhoneKeys } from '../../src/config/config'
import type { StoreConfig } from '../../src/store'
import { SQLITE_FILE } from '../../src/store/sqlite'
import { freshDatabase, postgresMissing, type TestDatabase } from './postgres'

export type { StoreConfig }

/** A key of the phone numbers at rest (PHONE_ENCRYPTION_KEY), new for each call. */
export function newPhoneKeys(): PhoneKeys {
  return { current: randomBytes(32), previous: [] }
}

export interface TestEngine {
  name: 'SQLite' | 'PostgreSQL'
  /** Why the engine cannot run here, or null. */
  missing: string | null
  /** A configuration whose store starts empty; `remove` deletes what it wrote. */
  fresh(): Promise<FreshStore>
}

export interface FreshStore {
  config: StoreConfig
  /** Runs SQL on the database beside the store. */
  exec(statement: string): Promise<void>
  /** Reads rows straight from the database, past the store. */
  rows(query: string): Promise<Record<string, unknown>[]>
  remove(): Promise<void>
}

export const ENGINES: readonly TestEngine[] = [
  {
    name: 'SQLite',
    missing: null,
    async fresh() {
      const dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-store-'))
      return {
        // The development key the store keeps in its DATA_DIR.
        config: { dataDir, database: null },
        exec: async (statement) => {
          const db = new Database(join(dataDir, SQLITE_FILE))
          db.exec(statement)
          db.close()
        },
        rows: async (query) => {
          const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true })
          try {
            return db.prepare(query).all() as Record<string, unknown>[]
          } finally {
            db.close()
          }
        },
        remove: () => rm(dataDir, { recursive: true, force: true }),
      }
    },
  },
  {
    name: 'PostgreSQL',
    missing: postgresMissing,
    async fresh() {
      const database: TestDatabase = await freshDatabase()
      return {
        // No DATA_DIR is written to with a database and a key, as in production.
        config: {
          dataDir: join(tmpdir(), 'weapp-login-unused'),
          database: { url: database.url, poolMax: 10 },
          phoneKeys: newPhoneKeys(),
        },
        exec: async (statement) => {
          await database.query(statement)
        },
        rows: (query) => database.query(query),
        remove: () => database.drop(),
      }
    },
  },
]
