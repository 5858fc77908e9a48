import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Kysely, QueryCreator, Selectable } from 'kysely'
import { AVATAR_PATH } from '../avatars/file-name'
import type { Availability, StoreLog } from './availability'
import { StoreUnavailableError } from './availability'
import type { Engine } from './engine'
import { KEY_ID_LENGTH } from '../config/phone-keys'
import { PhoneKeyError, type PhoneCipher } from './phone-cipher'
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

/** All the store holds about one user, for their export. Times are epoch milliseconds. */
export interface AccountRecord {
  user: UserRecord
  createdAt: number
  /** Null when they have not logged in since the release that records it. */
  lastLoginAt: number | null
  openSessions: number
  /** When the oldest open session began; null when none is open or none says. */
  oldestSessionAt: number | null
}

/**
 * The user a request was authenticated as is gone (their account deleted meanwhile): their token
 * is as dead as their row, so the request answers 401.
 */
export class UserGoneError extends Error {
  constructor(userId: string) {
    super(`no user ${userId}: the account was deleted`)
    this.name = 'UserGoneError'
  }
}

/**
 * Users, sessions and avatars. Every method rejects with a StoreUnavailableError while the
 * database cannot be reached, with a UserGoneError when the user it names no longer exists, and
 * with anything else only for a bug.
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
  /** Every session of the user, on every device. */
  deleteUserSessions(userId: string): Promise<void>
  /** How many sessions it deleted. */
  deleteExpiredSessions(now: number): Promise<number>
  /** Stored encrypted. */
  setPhoneNumber(userId: string, phoneNumber: string, now: number): Promise<UserRecord>
  clearPhoneNumber(userId: string, now: number): Promise<UserRecord>
  setProfile(
    userId: string,
    profile: { nickName?: string; avatar?: string },
    now: number,
  ): Promise<UserRecord>
  saveAvatar(userId: string, file: string, avatar: StoredAvatar, now: number): Promise<UserRecord>
  findAvatar(file: string): Promise<StoredAvatar | undefined>
  /** Everything held about the user, sessions open at `now` counted. */
  exportAccount(userId: string, now: number): Promise<AccountRecord>
  /** The user, their sessions and their avatars, gone from the database and its files. */
  deleteUser(userId: string): Promise<void>
  /**
   * Encrypts every phone number with the current key: those under an older key, and those an
   * instance of the release before wrote in clear (`'clear'`: only those). Each row alone, so
   * safe while instances serve. How many it wrote.
   */
  reencryptPhones(only?: 'clear'): Promise<number>
  /** The ids of keys that stored phone numbers are encrypted with and that this process lacks. */
  missingPhoneKeys(): Promise<string[]>
  /**
   * Why this release cannot serve on the database now (a migration it needs has not run, or a
   * newer release removed what it uses), or null: with the database answering, a readiness check.
   */
  schemaProblem(): Promise<string | null>
  close(): Promise<void>
}

const BATCH = 500

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
      last_login_at: now,
    })
    .onConflict((conflict) =>
      conflict.column('openid').doUpdateSet((eb) => ({
        session_key: eb.ref('excluded.session_key'),
        unionid: eb.fn.coalesce('excluded.unionid', 'users.unionid'),
        updated_at: eb.ref('excluded.updated_at'),
        last_login_at: eb.ref('excluded.last_login_at'),
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

/** `column` holds `value`, null included (SQL's `=` never matches a NULL). */
function holds(
  eb: ExpressionBuilder<Tables, 'users'>,
  column: 'phone_number' | 'phone_encrypted',
  value: string | null,
) {
  return value === null ? eb(column, 'is', null) : eb(column, '=', value)
}

/** The store's queries, written once for every engine; `run` guards each. */
export function createStore(
  engine: Engine,
  run: Run,
  cipher: PhoneCipher,
  log: StoreLog,
): Omit<Store, 'schemaProblem'> {
  const { db } = engine

  // A number in clear was written by an instance of the release before, after the migration
  // that encrypted the rest: it is the newer one (migrations.ts, 0002).
  const phoneOf = (row: Pick<UsersTable, 'id' | 'phone_number' | 'phone_encrypted'>) =>
    row.phone_number ??
    (row.phone_encrypted === null ? null : cipher.decrypt(row.phone_encrypted, row.id))

  // Every request reads its user: one number that does not decrypt (a key left out of this
  // instance, a damaged value) must not lock its user out of every route, 注销 included. The user
  // is served without it; the log says why, without the value.
  const readablePhoneOf = (row: Pick<UsersTable, 'id' | 'phone_number' | 'phone_encrypted'>) => {
    try {
      return phoneOf(row)
    } catch (error) {
      if (!(error instanceof PhoneKeyError)) throw error
      log.error(`the phone number of user ${row.id} is served as none: ${error.message}`)
      return null
    }
  }

  const toRecord = (row: Selectable<UsersTable>): UserRecord => ({
    id: row.id,
    openid: row.openid,
    unionid: row.unionid,
    sessionKey: row.session_key,
    nickName: row.nick_name,
    avatar: row.avatar,
    phoneNumber: readablePhoneOf(row),
  })

  const updated = (row: Selectable<UsersTable> | undefined, userId: string): UserRecord => {
    if (!row) throw new UserGoneError(userId)
    return toRecord(row)
  }

  const setPhone = (userId: string, phoneNumber: string | null, now: number) =>
    db
      .updateTable('users')
      .set({
        phone_encrypted: phoneNumber === null ? null : cipher.encrypt(phoneNumber, userId),
        phone_number: null,
        updated_at: now,
      })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirst()

  async function setProfile(
    trx: Kysely<Tables>,
    userId: string,
    profile: { nickName?: string; avatar?: string },
    now: number,
  ): Promise<UserRecord> {
    // The user's row first: on PostgreSQL its lock queues concurrent changes of one user, so the
    // delete below sees the avatar that an earlier one inserted.
    const row = await trx
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
      await trx.deleteFrom('avatars').where('user_id', '=', userId).execute()
    }
    return updated(row, userId)
  }

  return {
    recordLogin: (login, session, now) =>
      run(async () => {
        if (engine.name === 'postgres') {
          // One statement, so one round trip instead of four (BEGIN, two, COMMIT), and atomic
          // all the same: the session row takes the user row's id from the upsert's RETURNING.
          const row = await db
            .with('upserted', (qb) => upsertUser(qb, login, now))
            .with('opened', (qb) =>
              qb
                .insertInto('sessions')
                .columns(['token_hash', 'user_id', 'expires_at', 'created_at'])
                .expression((eb) =>
                  eb
                    .selectFrom('upserted')
                    .select((inner) => [
                      inner.val(session.tokenHash).as('token_hash'),
                      'upserted.id',
                      inner.val(session.expiresAt).as('expires_at'),
                      inner.val(now).as('created_at'),
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
              created_at: now,
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

    deleteUserSessions: (userId) =>
      run(async () => {
        await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
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
      run(async () => updated(await setPhone(userId, phoneNumber, now), userId)),

    clearPhoneNumber: (userId, now) =>
      run(async () => {
        const user = updated(await setPhone(userId, null, now), userId)
        await engine.scrub()
        return user
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

    exportAccount: (userId, now) =>
      run(async () => {
        const row = await db
          .selectFrom('users')
          .selectAll()
          .where('id', '=', userId)
          .executeTakeFirst()
        if (!row) throw new UserGoneError(userId)
        const sessions = await db
          .selectFrom('sessions')
          .select((eb) => [eb.fn.countAll().as('open'), eb.fn.min('created_at').as('since')])
          .where('user_id', '=', userId)
          .where('expires_at', '>', now)
          .executeTakeFirstOrThrow()
        return {
          user: toRecord(row),
          createdAt: row.created_at,
          lastLoginAt: row.last_login_at,
          openSessions: Number(sessions.open),
          oldestSessionAt: sessions.since === null ? null : Number(sessions.since),
        }
      }),

    deleteUser: (userId) =>
      run(async () => {
        // Sessions and avatars go with the user (ON DELETE CASCADE): every token dies at once, on
        // every instance, since each request looks its token up here.
        const result = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()
        if (Number(result.numDeletedRows) === 0) throw new UserGoneError(userId)
        await engine.scrub()
      }),

    reencryptPhones: (only) =>
      run(async () => {
        let written = 0
        for (;;) {
          const rows = await db
            .selectFrom('users')
            .select(['id', 'phone_number', 'phone_encrypted'])
            .where((eb) =>
              eb.or([
                eb('phone_number', 'is not', null),
                ...(only === 'clear'
                  ? []
                  : [
                      eb(
                        eb.fn('substr', ['phone_encrypted', eb.lit(1), eb.lit(KEY_ID_LENGTH)]),
                        '<>',
                        cipher.currentId,
                      ),
                    ]),
              ]),
            )
            .limit(BATCH)
            .execute()
          if (rows.length === 0) break
          for (const row of rows) {
            const phone = phoneOf(row)
            // The query picks rows with a number, in clear or under another key: never none.
            if (phone === null) continue
            // Only if nobody changed it meanwhile: a number bound or unbound since stands.
            const result = await db
              .updateTable('users')
              .set({ phone_encrypted: cipher.encrypt(phone, row.id), phone_number: null })
              .where('id', '=', row.id)
              .where((eb) => holds(eb, 'phone_number', row.phone_number))
              .where((eb) => holds(eb, 'phone_encrypted', row.phone_encrypted))
              .executeTakeFirst()
            written += Number(result.numUpdatedRows)
          }
        }
        // The values written over, gone from the files too.
        if (written > 0) await engine.scrub()
        return written
      }),

    missingPhoneKeys: () =>
      run(async () => {
        const rows = await db
          .selectFrom('users')
          .select((eb) =>
            eb.fn<string>('substr', ['phone_encrypted', eb.lit(1), eb.lit(KEY_ID_LENGTH)]).as('id'),
          )
          .distinct()
          .where('phone_encrypted', 'is not', null)
          .execute()
        return rows.map((row) => row.id).filter((id) => !cipher.holds(id))
      }),

    // Ends the pool (PostgreSQL) or closes the file (SQLite).
    close: () => db.destroy(),
  }
}
