import type { Config } from '../config/config'
import { Availability, StoreUnavailableError, type StoreLog } from './availability'
import type { Engine } from './engine'
import { migrate, migrations, schemaProblem } from './migrations'
import { developmentKeys, PhoneCipher } from './phone-cipher'
import { createStore, guard, type Store } from './store'

export { UserGoneError, type Store, type StoredAvatar, type UserRecord } from './store'
export { StoreUnavailableError, type StoreLog } from './availability'

/** Where a store lives, and the keys of its phone numbers (default: a development key in dataDir). */
export type StoreConfig = Pick<Config, 'dataDir' | 'database'> & Partial<Pick<Config, 'phoneKeys'>>

/**
 * Opens the store on PostgreSQL when `database` is set, else on SQLite in `dataDir`, and brings
 * its schema up to date. Rejects with a StoreUnavailableError when the database cannot be reached.
 */
export async function openStore(config: StoreConfig, log: StoreLog): Promise<Store> {
  const cipher = new PhoneCipher(config.phoneKeys ?? developmentKeys(config.dataDir))
  const availability = new Availability(log)
  // Each engine's driver loads only when used: pg and better-sqlite3 each cost a process
  // megabytes that the other engine's deployment never needs.
  const engine: Engine = config.database
    ? (await import('./postgres')).openPostgres(config.database, (reason) =>
        availability.lost(reason),
      )
    : (await import('./sqlite')).openSqlite(config.dataDir)
  const run = guard(engine, availability)
  const steps = migrations(engine.name)
  try {
    await run(() => migrate(engine.db, steps))
  } catch (error) {
    await engine.db.destroy()
    if (error instanceof StoreUnavailableError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`cannot bring the database schema up to date: ${message}`, { cause: error })
  }
  const store: Store = {
    ...createStore(engine, run, cipher, log),
    schemaProblem: () => run(() => schemaProblem(engine.db, steps)),
  }
  try {
    // Refused at start, not at each request of the users concerned: a key left out by mistake.
    const missing = await store.missingPhoneKeys()
    if (missing.length > 0) {
      throw new Error(
        `the database holds phone numbers encrypted with key ${missing.join(', ')}, which neither ` +
          'PHONE_ENCRYPTION_KEY nor PHONE_ENCRYPTION_KEYS holds: add it to PHONE_ENCRYPTION_KEYS',
      )
    }
    // The numbers an older release stored in clear (migration 0002), each encrypted alone.
    await store.reencryptPhones('clear')
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}
