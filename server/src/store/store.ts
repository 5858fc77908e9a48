import { randomUUID } from 'node:crypto'
import type { Kysely, QueryCreator, Selectable } from 'kysely'
import { AVATAR_PATH } from '../avatars/file-name'
import type { Availability } from './availability'
import { StoreUnavailableError } from './availability'
import type { Engine, EngineName } from './engine'
import type { Tables, UsersTable } from './tables'

export interface UserRecord {
  id: string
  openid: string
  unionid: string | null
  sessionKey: string
  nickName: string | null
  /** An absolute URL, or a path under /avatars/ that each response resolves against its origin. */
  avatar: string | null
  phoneNumber: string | null
}

export interface StoredAvatar {
  contentType: string
  data: Buffer
}

/**
 * Users, sessions and avatars. Every method rejects with a StoreUnavailableError while the
 * database cannot be reached, and with anything else only for a bug.
 */
export interface Store {
  /** Upserts the user by openid (the latest session_key wins) and opens a session for them. */
  recordLogin(
    login: { openid: string; unionid: string | null; sessionKey: string },
    session: { tokenHash: string; expiresAt: number },
    now: number,
  ): Promise<UserRecord>
  findSessionUser(tokenHash: string, now: number): Promise<UserRecord | undefined>
  deleteSession(tokenHash: string): Promise<void>
  /** How many sessions it deleted. */
  deleteExpiredSessions(now: number): Promise<number>
  setPhoneNumber(userId: string, phoneNumber: string, now: number): Promise<UserRecord>
  setProfile(
    userId: string,
    profile: { nickName?: string; avatar?: string },
    now: number,
  ): Promise<UserRecord>
  saveAvatar(userId: string, file: string, avatar: StoredAvatar, now: number): Promise<UserRecord>
  findAvatar(file: string): Promise<StoredAvatar | undefined>
  /**
   * Why this release cannot serve on the database now (a migration it needs has not run, or a
   * newer release removed what it uses), or null: with the database answering, a readiness check.
   */
  schemaProblem(): Promise<string | null>
  close(): Promise<void>
}

function toRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    openid: row.openid,
    unionid: row.unionid,
    sessionKey: row.session_key,
    nickName: row.nick_name,
    avatar: row.avatar,
    phoneNumber: row.phone_number,
  }
}

function updated(row: Selectable<UsersTable> | undefined, userId: string): UserRecord {
  if (!row) throw new Error(`no user ${userId}`)
  return toRecord(row)
}

async function setProfile(
  db: Kysely<Tables>,
  userId: string,
  profile: { nickName?: string; avatar?: string },
  now: number,
): Promise<UserRecord> {
  // The user's row first: on PostgreSQL its lock queues concurrent changes of one user, so the
  // delete below sees the avatar that an earlier one inserted.
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      nick_name: eb.fn.coalesce(eb.val(profile.nickName ?? null), 'nick_name'),
      avatar: eb.fn.coalesce(eb.val(profile.avatar ?? null), 'avatar'),
      updated_at: now,
    }))
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst()
  // A new avatar of any kind replaces an uploaded one: its bytes would only take up room.
  if (profile.avatar !== undefined) {
    await db.deleteFrom('avatars').where('user_id', '=', userId).execute()
  }
  return updated(row, userId)
}

/**
 * The user of an openid, inserted or updated with the login's session_key (the latest login
 * wins). Atomic on both engines: concurrent first logins of one openid make one user.
 */
function upsertUser(
  db: QueryCreator<Tables>,
  login: { openid: string; unionid: string | null; sessionKey: string },
  now: number,
) {
  return db
    .insertInto('users')
    .values({
      id: randomUUID(),
      openid: login.openid,
      unionid: login.unionid,
      session_key: login.sessionKey,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.column('openid').doUpdateSet((eb) => ({
        session_key: eb.ref('excluded.session_key'),
        unionid: eb.fn.coalesce('excluded.unionid', 'users.unionid'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
}

export type Run = <R>(query: () => Promise<R>) => Promise<R>

/** Runs queries on `engine`, telling an outage (a StoreUnavailableError, logged once) from a bug. */
export function guard(engine: Engine, availability: Availability): Run {
  return async <R>(query: () => Promise<R>): Promise<R> => {
    let result: R
    try {
      result = await query()
    } catch (error) {
      const reason = engine.unreachable(error)
      if (reason === null) throw error
      availability.lost(reason)
      throw new StoreUnavailableError(reason, { cause: error })
    }
    availability.reached()
    return result
  }
}

/** The store's queries, written once for every engine; `run` guards each. */
export function createStore(
  db: Kysely<Tables>,
  engine: EngineName,
  run: Run,
): Omit<Store, 'schemaProblem'> {
  return {
    recordLogin: (login, session, now) =>
      run(async () => {
        if (engine === 'postgres') {
          // One statement, so one round trip instead of four (BEGIN, two, COMMIT), and atomic
          // all the same: the session row takes the user row's id from the upsert's RETURNING.
          const row = await db
            .with('upserted', (qb) => upsertUser(qb, login, now))
            .with('opened', (qb) =>
              qb
                .insertInto('sessions')
                .columns(['token_hash', 'user_id', 'expires_at'])
                .expression((eb) =>
                  eb
                    .selectFrom('upserted')
                    .select((inner) => [
                      inner.val(session.tokenHash).as('token_hash'),
                      'upserted.id',
                      inner.val(session.expiresAt).as('expires_at'),
                    ]),
                ),
            )
            .selectFrom('upserted')
            .selectAll()
            .executeTakeFirst()
          return updated(row, login.openid)
        }
        // SQLite has no INSERT in a WITH; its transaction costs no round trip.
        return db.transaction().execute(async (trx) => {
          const user = updated(await upsertUser(trx, login, now).executeTakeFirst(), login.openid)
          await trx
            .insertInto('sessions')
            .values({
              token_hash: session.tokenHash,
              user_id: user.id,
              expires_at: session.expiresAt,
            })
            .execute()
          return user
        })
      }),

    findSessionUser: (tokenHash, now) =>
      run(async () => {
        const row = await db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .selectAll('users')
          .where('sessions.token_hash', '=', tokenHash)
          .where('sessions.expires_at', '>', now)
          .executeTakeFirst()
        return row && toRecord(row)
      }),

    deleteSession: (tokenHash) =>
      run(async () => {
        await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute()
      }),

    deleteExpiredSessions: (now) =>
      run(async () => {
        const result = await db
          .deleteFrom('sessions')
          .where('expires_at', '<=', now)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      }),

    setPhoneNumber: (userId, phoneNumber, now) =>
      run(async () => {
        const row = await db
          .updateTable('users')
          .set({ phone_number: phoneNumber, updated_at: now })
          .where('id', '=', userId)
          .returningAll()
          .executeTakeFirst()
        return updated(row, userId)
      }),

    setProfile: (userId, profile, now) =>
      run(() => db.transaction().execute((trx) => setProfile(trx, userId, profile, now))),

    saveAvatar: (userId, file, avatar, now) =>
      run(() =>
        db.transaction().execute(async (trx) => {
          const user = await setProfile(trx, userId, { avatar: AVATAR_PATH + file }, now)
          await trx
            .insertInto('avatars')
            .values({ file, user_id: userId, content_type: avatar.contentType, data: avatar.data })
            .execute()
          return user
        }),
      ),

    findAvatar: (file) =>
      run(async () => {
        const row = await db
          .selectFrom('avatars')
          .select(['content_type', 'data'])
          .where('file', '=', file)
          .executeTakeFirst()
        return row && { contentType: row.content_type, data: row.data }
      }),

    // Ends the pool (PostgreSQL) or closes the file (SQLite).
    close: () => db.destroy(),
  }
}
