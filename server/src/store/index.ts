import type { Config } from '../config/config'
import { Availability, StoreUnavailableError, type StoreLog } from './availability'
import type { Engine } from './engine'
import { migrate, schemaProblem } from './migrations'
import { createStore, guard, type Store } from './store'

export { type Store, type StoredAvatar, type UserRecord } from './store'
export { StoreUnavailableError, type StoreLog } from './availability'

/**
 * Opens the store on PostgreSQL when `database` is set, else on SQLite in `dataDir`, and brings
 * its schema up to date. Rejects with a StoreUnavailableError when the database cannot be reached.
 */
export async function openStore(
  config: Pick<Config, 'dataDir' | 'database'>,
  log: StoreLog,
): Promise<Store> {
  const availability = new Availability(log)
  // Each engine's driver loads only when used: pg and better-sqlite3 each cost a process
  // megabytes that the other engine's deployment never needs.
  const engine: Engine = config.database
    ? (await import('./postgres')).openPostgres(config.database, (reason) =>
        availability.lost(reason),
      )
    : (await import('./sqlite')).openSqlite(config.dataDir)
  const run = guard(engine, availability)
  try {
    await run(() => migrate(engine.db, engine.name))
  } catch (error) {
    await engine.db.destroy()
    if (error instanceof StoreUnavailableError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`cannot bring the database schema up to date: ${message}`, { cause: error })
  }
  return {
    ...createStore(engine.db, engine.name, run),
    schemaProblem: () => run(() => schemaProblem(engine.db, engine.name)),
  }
}
