import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'

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

export interface Store {
  /** Upserts the user by openid (the latest session_key wins) and opens a session for them. */
  recordLogin(
    login: { openid: string; unionid: string | null; sessionKey: string },
    session: { tokenHash: string; expiresAt: number },
    now: number,
  ): UserRecord
  findSessionUser(tokenHash: string, now: number): UserRecord | undefined
  deleteSession(tokenHash: string): void
  deleteExpiredSessions(now: number): number
  setPhoneNumber(userId: string, phoneNumber: string, now: number): UserRecord
  setProfile(
    userId: string,
    profile: { nickName?: string; avatar?: string },
    now: number,
  ): UserRecord
  saveAvatar(userId: string, file: string, avatar: StoredAvatar, now: number): UserRecord
  findAvatar(file: string): StoredAvatar | undefined
  close(): void
}

const SCHEMA_VERSION = 1

const SCHEMA = `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    openid TEXT NOT NULL UNIQUE,
    unionid TEXT,
    session_key TEXT NOT NULL,
    nick_name TEXT,
    avatar TEXT,
    phone_number TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires_at ON sessions(expires_at);
  CREATE TABLE avatars (
    file TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX avatars_user_id ON avatars(user_id);
`

interface UserRow {
  id: string
  openid: string
  unionid: string | null
  session_key: string
  nick_name: string | null
  avatar: string | null
  phone_number: string | null
}

function toRecord(row: UserRow): UserRecord {
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

export const AVATAR_PATH = '/avatars/'

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'weapp-login.sqlite3'))
  db.pragma('journal_mode = WAL')
  // WAL with NORMAL loses at most the last transactions on a power cut, never consistency.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  const version = db.pragma('user_version', { simple: true })
  if (version === 0) {
    db.transaction(() => {
      db.exec(SCHEMA)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
    })()
  } else if (version !== SCHEMA_VERSION) {
    db.close()
    throw new Error(`${dataDir} holds schema version ${String(version)}, not ${SCHEMA_VERSION}`)
  }

  const upsertUser = db.prepare<
    [{ id: string; openid: string; unionid: string | null; sessionKey: string; now: number }],
    UserRow
  >(`
    INSERT INTO users (id, openid, unionid, session_key, created_at, updated_at)
    VALUES (@id, @openid, @unionid, @sessionKey, @now, @now)
    ON CONFLICT (openid) DO UPDATE SET
      session_key = excluded.session_key,
      unionid = coalesce(excluded.unionid, users.unionid),
      updated_at = excluded.updated_at
    RETURNING *`)
  const insertSession = db.prepare<[string, string, number]>(
    'INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
  )
  const selectSessionUser = db.prepare<[string, number], UserRow>(`
    SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
    WHERE sessions.token_hash = ? AND sessions.expires_at > ?`)
  const deleteSession = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?')
  const deleteExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?')
  const updatePhone = db.prepare<[string, number, string], UserRow>(
    'UPDATE users SET phone_number = ?, updated_at = ? WHERE id = ? RETURNING *',
  )
  const updateProfile = db.prepare<[string | null, string | null, number, string], UserRow>(`
    UPDATE users SET nick_name = coalesce(?, nick_name), avatar = coalesce(?, avatar),
      updated_at = ? WHERE id = ? RETURNING *`)
  const deleteAvatars = db.prepare<[string]>('DELETE FROM avatars WHERE user_id = ?')
  const insertAvatar = db.prepare<[string, string, string, Buffer]>(
    'INSERT INTO avatars (file, user_id, content_type, data) VALUES (?, ?, ?, ?)',
  )
  const selectAvatar = db.prepare<[string], { content_type: string; data: Buffer }>(
    'SELECT content_type, data FROM avatars WHERE file = ?',
  )

  const updated = (row: UserRow | undefined, userId: string): UserRecord => {
    if (!row) throw new Error(`no user ${userId}`)
    return toRecord(row)
  }

  const setProfile = (
    userId: string,
    profile: { nickName?: string; avatar?: string },
    now: number,
  ): UserRecord => {
    // A new avatar of any kind replaces an uploaded one: its bytes would only take up room.
    if (profile.avatar !== undefined) deleteAvatars.run(userId)
    const row = updateProfile.get(profile.nickName ?? null, profile.avatar ?? null, now, userId)
    return updated(row, userId)
  }

  return {
    recordLogin: db.transaction<Store['recordLogin']>((login, session, now) => {
      const { openid, unionid, sessionKey } = login
      const row = upsertUser.get({ id: randomUUID(), openid, unionid, sessionKey, now })
      const user = updated(row, login.openid)
      insertSession.run(session.tokenHash, user.id, session.expiresAt)
      return user
    }),
    findSessionUser(tokenHash, now) {
      const row = selectSessionUser.get(tokenHash, now)
      return row && toRecord(row)
    },
    deleteSession(tokenHash) {
      deleteSession.run(tokenHash)
    },
    deleteExpiredSessions(now) {
      return deleteExpired.run(now).changes
    },
    setPhoneNumber(userId, phoneNumber, now) {
      return updated(updatePhone.get(phoneNumber, now, userId), userId)
    },
    setProfile: db.transaction(setProfile),
    saveAvatar: db.transaction<Store['saveAvatar']>((userId, file, avatar, now) => {
      const user = setProfile(userId, { avatar: AVATAR_PATH + file }, now)
      insertAvatar.run(file, userId, avatar.contentType, avatar.data)
      return user
    }),
    findAvatar(file) {
      const row = selectAvatar.get(file)
      return row && { contentType: row.content_type, data: row.data }
    },
    close() {
      db.close()
    },
  }
}
