import type { Kysely } from 'kysely'
import type { Tables } from './tables'

export type EngineName = 'sqlite' | 'postgres'

/** A database the store runs on: the typed query layer and what only the engine knows. */
export interface Engine {
  name: EngineName
  db: Kysely<Tables>
  /** Why `error` means the database cannot be reached right now, or null for any other error. */
  unreachable(error: unknown): string | null
  /**
   * After personal data was deleted or overwritten: what the engine can do so that no copy of it
   * stays readable in its files (SQLite: empty the write-ahead log into the database file, whose
   * freed space secure_delete has zeroed).
   */
  scrub(): Promise<void>
}
