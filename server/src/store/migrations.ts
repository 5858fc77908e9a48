import { Migrator, sql, type Kysely, type Migration } from 'kysely'
import type { EngineName } from './engine'
import type { Tables } from './tables'

/**
 * The two steps of a schema change that two releases survive side by side (a rolling upgrade
 * runs the old release and the new one on one database):
 * - expand: adds what the new code needs (a table, a nullable column, an index, a backfill) and
 *   never removes, renames or narrows what the release before still reads or writes;
 * - contract: removes what no running release uses any more. It runs in a later release than
 *   its expand step of the same name, `NNNN_expand_<what>`, which ships with the first code that
 *   no longer reads or writes what the contract step removes (an empty step when that code
 *   needs nothing new), so an instance that knows that expand step survives the contract step.
 * A migration's name says which step it is: NNNN_expand_<what> or NNNN_contract_<what>.
 */
export type Step = 'expand' | 'contract'

export interface MigrationName {
  step: Step
  what: string
}

const NAME = /^\d{4}_(expand|contract)_([a-z0-9]+(?:_[a-z0-9]+)*)$/
/** Named before the convention. It only creates, so it is an expand step. */
const BASELINE = '0001_users_sessions_avatars'

/** The step and subject a migration's name says, or null for a name outside the convention. */
export function parseMigrationName(name: string): MigrationName | null {
  if (name === BASELINE) return { step: 'expand', what: 'users_sessions_avatars' }
  const match = NAME.exec(name)
  if (!match) return null
  return { step: match[1] as Step, what: match[2] ?? '' }
}

/** The column types that differ between the engines; everything else is written once. */
const COLUMN_TYPES = {
  sqlite: { epochMs: 'integer', bytes: 'blob' },
  // Epoch milliseconds are past 2^31: PostgreSQL's integer is 32 bits, SQLite's is 64.
  postgres: { epochMs: 'bigint', bytes: 'bytea' },
} as const

/**
 * The schema's history, applied in the order of the names, each once per database. Written in
 * code (not files in a folder) so the compiled server carries them. Each name follows the
 * convention above; server/test/store/migrations.test.ts holds every one to it.
 */
export function migrations(engine: EngineName): Record<string, Migration> {
  const type = COLUMN_TYPES[engine]
  return {
    [BASELINE]: {
      async up(db) {
        // IF NOT EXISTS adopts a SQLite file made before migrations existed: it holds exactly
        // these tables already.
        await db.schema
          .createTable('users')
          .ifNotExists()
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('openid', 'text', (column) => column.notNull().unique())
          .addColumn('unionid', 'text')
          .addColumn('session_key', 'text', (column) => column.notNull())
          .addColumn('nick_name', 'text')
          .addColumn('avatar', 'text')
          .addColumn('phone_number', 'text')
          .addColumn('created_at', type.epochMs, (column) => column.notNull())
          .addColumn('updated_at', type.epochMs, (column) => column.notNull())
          .execute()
        await db.schema
          .createTable('sessions')
          .ifNotExists()
          .addColumn('token_hash', 'text', (column) => column.primaryKey())
          .addColumn('user_id', 'text', (column) =>
            column.notNull().references('users.id').onDelete('cascade'),
          )
          .addColumn('expires_at', type.epochMs, (column) => column.notNull())
          .execute()
        await db.schema
          .createIndex('sessions_expires_at')
          .ifNotExists()
          .on('sessions')
          .column('expires_at')
          .execute()
        await db.schema
          .createTable('avatars')
          .ifNotExists()
          .addColumn('file', 'text', (column) => column.primaryKey())
          .addColumn('user_id', 'text', (column) =>
            column.notNull().references('users.id').onDelete('cascade'),
          )
          .addColumn('content_type', 'text', (column) => column.notNull())
          .addColumn('data', type.bytes, (column) => column.notNull())
          .execute()
        await db.schema
          .createIndex('avatars_user_id')
          .ifNotExists()
          .on('avatars')
          .column('user_id')
          .execute()
        // The release before migrations opens a SQLite file only at user_version 1: a rollback
        // to it keeps working on a file this one created.
        if (engine === 'sqlite') await sql`PRAGMA user_version = 1`.execute(db)
      },
    },

    /**
     * Phone numbers encrypted at rest: the column only. The numbers already stored move into it
     * right after, each alone, outside this step (openStore, through reencryptPhones('clear')): on
     * PostgreSQL a migration is one transaction, and ALTER TABLE's lock on users would otherwise
     * be held for the whole backfill, every request of the instances still serving waiting on it.
     * The release before reads users.phone_number: once a number has moved, its instances see NULL
     * there, so to them that user has no number bound (GET /api/me answers phoneNumber null, the
     * phone page offers to bind one). Chosen over keeping the clear copy until the contract step
     * because a copy kept "for the rollout" stays in the file, the table and every backup for as
     * long as that release lives: the numbers are what must not leak. That release never errs on
     * it: NULL is a value it has always handled, never ciphertext it would show as a number. A
     * number it binds meanwhile is written in clear to phone_number, which this release reads
     * first (it is the newer: this release never writes there) and encrypts at its next start or
     * on `npm run reencrypt-phones`.
     *
     * Deferred to a later release, `NNNN_contract_phone_number`, once no instance of the release
     * before runs: encrypt what an old instance left in clear, then drop users.phone_number.
     */
    '0002_expand_phone_encrypted': {
      async up(db) {
        await db.schema.alterTable('users').addColumn('phone_encrypted', 'text').execute()
      },
    },

    /**
     * What the user's data export tells (GET /api/me/export): when they last logged in, and since
     * when each session is open. Nullable, so the release before, which writes neither, still
     * inserts its users and sessions; the export says null where it cannot know.
     */
    '0003_expand_account_times': {
      async up(db) {
        await db.schema.alterTable('users').addColumn('last_login_at', type.epochMs).execute()
        await db.schema.alterTable('sessions').addColumn('created_at', type.epochMs).execute()
      },
    },
  }
}

/**
 * Each step in a transaction of its own where Kysely's Migrator puts none: it does on PostgreSQL,
 * not on SQLite (its adapter declares no transactional DDL, which SQLite has). A step stopped half
 * way (a crash, a full disk) would leave a column added and the step unrecorded, and every later
 * start would fail adding it again.
 */
function inTransactions(steps: Record<string, Migration>): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(steps).map(([name, step]) => [
      name,
      { up: (db: Kysely<unknown>) => db.transaction().execute((trx) => step.up(trx)) },
    ]),
  )
}

// Kysely's own record of what has run.
const MIGRATION_TABLE = 'kysely_migration'

/**
 * The names of the migrations the database has run, whichever release ran them. One query, as
 * /readyz asks it every few seconds; the catalog is read only when it fails, to tell a database
 * never migrated (no table: none run) from one that cannot answer (thrown again), or whose table
 * another instance made meanwhile (read again).
 */
async function appliedMigrations(db: Kysely<Tables>): Promise<string[]> {
  const read = async () => {
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db)
    return rows.map((row) => row.name)
  }
  try {
    return await read()
  } catch {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
    return tables.some((table) => table.name === MIGRATION_TABLE) ? read() : []
  }
}

/**
 * Why this release, which knows the migrations `known`, cannot run on a database where a newer
 * release ran `applied`; null when it can. A newer release's expand steps leave everything this
 * release uses in place; its contract steps remove only what this release no longer uses when
 * this release knows their expand step.
 */
function newerMismatch(known: readonly string[], applied: readonly string[]): string | null {
  const knownExpands = new Set(
    known.flatMap((name) => {
      const parsed = parseMigrationName(name)
      return parsed?.step === 'expand' ? [parsed.what] : []
    }),
  )
  for (const name of applied) {
    if (known.includes(name)) continue
    const parsed = parseMigrationName(name)
    if (parsed === null) {
      return `the database ran migration ${name}, which this release does not know and cannot judge: roll forward`
    }
    if (parsed.step === 'contract' && !knownExpands.has(parsed.what)) {
      return `a newer release ran ${name}, which removes what this release still uses: roll forward`
    }
  }
  return null
}

/**
 * Why this release cannot serve on a database that ran `applied`, or null: a newer release
 * contracted what it uses, or a migration it needs has not run.
 */
export function schemaMismatch(
  known: readonly string[],
  applied: readonly string[],
): string | null {
  const missing = known.filter((name) => !applied.includes(name))
  return (
    newerMismatch(known, applied) ??
    (missing.length > 0 ? `the database lacks migration ${missing.join(', ')}` : null)
  )
}

/** Why this release cannot serve on the database now, or null: a readiness check. */
export async function schemaProblem(
  db: Kysely<Tables>,
  steps: Record<string, Migration>,
): Promise<string | null> {
  return schemaMismatch(Object.keys(steps), await appliedMigrations(db))
}

/**
 * Brings the database to this release's schema. A newer release's migrations that this one
 * survives (above) are left as they are: an instance of the release before restarts on the
 * database the next one migrated, and a release can be rolled back past expand steps. Instances
 * that start together on one PostgreSQL database take turns: Kysely's Migrator holds an advisory
 * lock while it reads what has run and applies the rest, each migration in a transaction, so
 * exactly one applies them and the others find them applied.
 */
export async function migrate(db: Kysely<Tables>, steps: Record<string, Migration>): Promise<void> {
  // A newer release may migrate between the look and the lock: then look again.
  for (let attempt = 0; ; attempt++) {
    const applied = await appliedMigrations(db)
    const newer = applied.filter((name) => !Object.hasOwn(steps, name))
    const mismatch = newerMismatch(Object.keys(steps), applied)
    if (mismatch !== null) throw new Error(mismatch)
    // The newer release's steps, as Kysely wants every applied one listed: they never run here.
    const transactional = db.getExecutor().adapter.supportsTransactionalDdl
    const listed: Record<string, Migration> = transactional ? { ...steps } : inTransactions(steps)
    for (const name of newer) {
      listed[name] = {
        up: () => Promise.reject(new Error(`${name} belongs to a newer release`)),
      }
    }
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(listed) },
    })
    const { error } = await migrator.migrateToLatest()
    if (error === undefined) return
    const raced = error instanceof Error && /previously executed migration/.test(error.message)
    if (!raced || attempt > 0) throw error
  }
}
