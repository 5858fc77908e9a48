import { Migrator, sql, type Kysely, type Migration, type NotNull } from 'kysely'
import type { EngineName } from './engine'
import type { PhoneCipher } from './phone-cipher'
import type { Tables } from './tables'

/** The users table as 0002 found it: a migration is typed by its own time, not by today's. */
interface PhoneColumns {
  users: { id: string; phone_number: string | null; phone_encrypted: string | null }
}

const BATCH = 500

/** The column types that differ between the engines; everything else is written once. */
const COLUMN_TYPES = {
  sqlite: { epochMs: 'integer', bytes: 'blob' },
  // Epoch milliseconds are past 2^31: PostgreSQL's integer is 32 bits, SQLite's is 64.
  postgres: { epochMs: 'bigint', bytes: 'bytea' },
} as const

/**
 * The schema's history, applied in the order of the names, each once per database. Written in
 * code (not files in a folder) so the compiled server carries them.
 *
 * Expand/contract: an `expand` step only adds what the release before can ignore, so its instances
 * keep serving on the migrated database during a rolling upgrade; what that release still reads is
 * removed by a `contract` step of a later release, run once none of its instances is left.
 */
function migrations(engine: EngineName, cipher: PhoneCipher): Record<string, Migration> {
  const type = COLUMN_TYPES[engine]
  return {
    '0001_users_sessions_avatars': {
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
     * Phone numbers encrypted at rest: each existing number moves into phone_encrypted and its
     * clear copy is cleared, at once. The release before reads users.phone_number: during the
     * rollout its instances see NULL there, so to them these users have no number bound (GET
     * /api/me answers phoneNumber null, the phone page offers to bind one). Chosen over keeping
     * the clear copy until the contract step because a copy kept "for the rollout" stays in the
     * file, the table and every backup for as long as that release lives: the numbers are what
     * must not leak. That release never errs on it: NULL is a value it has always handled, never
     * ciphertext it would show as a number. A number it binds meanwhile is written in clear to
     * phone_number, which this release reads first (it is the newer: this release never writes
     * there) and encrypts on the next `npm run reencrypt-phones`.
     *
     * Deferred to a later release, `NNNN_contract_phone_number`, once no instance of the release
     * before runs: encrypt what an old instance left in clear, then drop users.phone_number.
     */
    '0002_expand_phone_encrypted': {
      async up(db) {
        await db.schema.alterTable('users').addColumn('phone_encrypted', 'text').execute()
        const users = db as Kysely<PhoneColumns>
        for (;;) {
          const rows = await users
            .selectFrom('users')
            .select(['id', 'phone_number'])
            .where('phone_number', 'is not', null)
            .limit(BATCH)
            .$narrowType<{ phone_number: NotNull }>()
            .execute()
          if (rows.length === 0) break
          for (const { id, phone_number: phone } of rows) {
            await users
              .updateTable('users')
              .set({ phone_encrypted: cipher.encrypt(phone, id), phone_number: null })
              .where('id', '=', id)
              .execute()
          }
        }
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
 * Brings the database to the latest schema. Instances that start together on one PostgreSQL
 * database take turns: Kysely's Migrator holds a PostgreSQL advisory lock while it reads what
 * has run and applies the rest, each migration in a transaction, so exactly one applies them and
 * the others find them applied.
 */
export async function migrate(
  db: Kysely<Tables>,
  engine: EngineName,
  cipher: PhoneCipher,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations(engine, cipher)) },
  })
  const { error } = await migrator.migrateToLatest()
  if (error !== undefined) throw error
}
