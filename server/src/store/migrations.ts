import { Migrator, sql, type Kysely, type Migration } from 'kysely'
import type { EngineName } from './engine'
import type { Tables } from './tables'

/** The column types that differ between the engines; everything else is written once. */
const COLUMN_TYPES = {
  sqlite: { epochMs: 'integer', bytes: 'blob' },
  // Epoch milliseconds are past 2^31: PostgreSQL's integer is 32 bits, SQLite's is 64.
  postgres: { epochMs: 'bigint', bytes: 'bytea' },
} as const

/**
 * The schema's history, applied in the order of the names, each once per database. Written in
 * code (not files in a folder) so the compiled server carries them.
 */
function migrations(engine: EngineName): Record<string, Migration> {
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
  }
}

/**
 * Brings the database to the latest schema. Instances that start together on one PostgreSQL
 * database take turns: Kysely's Migrator holds a PostgreSQL advisory lock while it reads what
 * has run and applies the rest, each migration in a transaction, so exactly one applies them and
 * the others find them applied.
 */
export async function migrate(db: Kysely<Tables>, engine: EngineName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations(engine)) },
  })
  const { error } = await migrator.migrateToLatest()
  if (error !== undefined) throw error
}
