/** The store's two engines, each as a fresh, empty store configuration, for suites run on both. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Config } from '../../src/config/config'
import { SQLITE_FILE } from '../../src/store/sqlite'
import { freshDatabase, postgresMissing } from './postgres'

export type StoreConfig = Pick<Config, 'dataDir' | 'database'>

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
  remove(): Promise<void>
}

export const ENGINES: readonly TestEngine[] = [
  {
    name: 'SQLite',
    missing: null,
    async fresh() {
      const dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-store-'))
      return {
        config: { dataDir, database: null },
        exec: async (statement) => {
          const db = new Database(join(dataDir, SQLITE_FILE))
          db.exec(statement)
          db.close()
        },
        remove: () => rm(dataDir, { recursive: true, force: true }),
      }
    },
  },
  {
    name: 'PostgreSQL',
    missing: postgresMissing,
    async fresh() {
      const database = await freshDatabase()
      return {
        // No DATA_DIR is written to with a database.
        config: {
          dataDir: join(tmpdir(), 'weapp-login-unused'),
          database: { url: database.url, poolMax: 10 },
        },
        exec: async (statement) => {
          await database.query(statement)
        },
        remove: () => database.drop(),
      }
    },
  },
]
