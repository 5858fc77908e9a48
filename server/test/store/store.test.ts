import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { phoneKeyId, type PhoneKeys } from '../../src/config/phone-keys'
import { describeWhenAvailable } from '../../../test/support/needs'
import { openStore, UserGoneError, type Store, type StoreLog } from '../../src/store'
import { DEVELOPMENT_KEY_FILE } from '../../src/store/phone-cipher'
import { hashToken } from '../../src/sessions/tokens'
import { SQLITE_FILE } from '../../src/store/sqlite'
import { ENGINES, type FreshStore, type StoreConfig } from '../support/engines'
import { startTestServer } from '../support/test-server'

// Real epoch milliseconds: past 2^31, as a 32-bit column could not hold.
const T = Date.UTC(2026, 0, 1)

const quiet: StoreLog = { error: () => undefined, info: () => undefined }

const avatar = (byte: number) => ({ contentType: 'image/png', data: Buffer.from([byte]) })

/** The keys a fresh store was opened with: given, or the development key in its DATA_DIR. */
function phoneKeysOf(fresh: FreshStore): Buffer[] {
  const keys: PhoneKeys = fresh.config.phoneKeys ?? {
    current: Buffer.from(
      readFileSync(join(fresh.config.dataDir, DEVELOPMENT_KEY_FILE), 'utf8'),
      'base64',
    ),
    previous: [],
  }
  return [keys.current, ...keys.previous]
}

for (const engine of ENGINES) {
  describeWhenAvailable(`the store on ${engine.name}`, engine.missing, () => {
    let fresh: FreshStore
    let store: Store

    beforeEach(async () => {
      fresh = await engine.fresh()
      store = await openStore(fresh.config, quiet)
    })

    afterEach(async () => {
      await store.close()
      await fresh.remove()
    })

    const login = (
      sessionKey: string,
      tokenHash: string,
      expiresAt = T + 2000,
      unionid: string | null = null,
    ) => store.recordLogin({ openid: 'oStore', unionid, sessionKey }, { tokenHash, expiresAt }, T)

    it('keeps one user per openid, with the latest session_key and the first known unionid', async () => {
      const first = await login('key-1', 'hash-1', T + 2000, 'oUnion')
      const second = await login('key-2', 'hash-2')
      expect(second.id).toBe(first.id)
      expect(second).toMatchObject({ sessionKey: 'key-2', unionid: 'oUnion' })
      expect((await store.findSessionUser('hash-1', T + 1500))?.sessionKey).toBe('key-2')
    })

    it('finds a session only before it expires, and never after it is deleted', async () => {
      await login('key', 'hash', T + 2000)
      expect(await store.findSessionUser('hash', T + 1999)).toBeDefined()
      expect(await store.findSessionUser('hash', T + 2000)).toBeUndefined()
      await store.deleteSession('hash')
      expect(await store.findSessionUser('hash', T)).toBeUndefined()
    })

    it('sweeps expired sessions only', async () => {
      await login('key', 'old', T + 2000)
      await login('key', 'new', T + 5000)
      expect(await store.deleteExpiredSessions(T + 3000)).toBe(1)
      expect(await store.findSessionUser('old', T)).toBeUndefined()
      expect(await store.findSessionUser('new', T)).toBeDefined()
    })

    it('keeps the phone number and the profile, field by field', async () => {
      const { id } = await login('key', 'hash')
      await store.setPhoneNumber(id, '13800138000', T)
      await store.setProfile(id, { nickName: '小明' }, T)
      const user = await store.setProfile(id, { avatar: 'https://thirdwx.qlogo.cn/a/132' }, T)
      expect(user).toMatchObject({
        nickName: '小明',
        avatar: 'https://thirdwx.qlogo.cn/a/132',
        phoneNumber: '13800138000',
      })
      expect(await store.findSessionUser('hash', T)).toEqual(user)
    })

    it('keeps only the current avatar’s bytes', async () => {
      const { id } = await login('key', 'hash')
      await store.saveAvatar(id, 'first.png', avatar(1), T)
      const user = await store.saveAvatar(id, 'second.png', avatar(2), T)
      expect(user.avatar).toBe('/avatars/second.png')
      expect(await store.findAvatar('first.png')).toBeUndefined()
      expect(await store.findAvatar('second.png')).toEqual(avatar(2))
      await store.setProfile(id, { avatar: 'https://thirdwx.qlogo.cn/a/132' }, T)
      expect(await store.findAvatar('second.png')).toBeUndefined()
    })

    it('makes one user of many concurrent first logins of one openid', async () => {
      const logins = await Promise.all(
        Array.from({ length: 50 }, (_, i) => login(`key-${i}`, `hash-${i}`)),
      )
      expect(new Set(logins.map((user) => user.id)).size).toBe(1)
      const found = await Promise.all(logins.map((_, i) => store.findSessionUser(`hash-${i}`, T)))
      expect(new Set(found.map((user) => user?.id))).toEqual(new Set([logins[0].id]))
    })

    it('keeps the bytes of one avatar when many are saved at once', async () => {
      const { id } = await login('key', 'hash')
      const files = Array.from({ length: 20 }, (_, i) => `avatar-${i}.png`)
      await Promise.all(files.map((file, i) => store.saveAvatar(id, file, avatar(i), T)))
      const kept = (await Promise.all(files.map((file) => store.findAvatar(file)))).filter(Boolean)
      expect(kept).toHaveLength(1)
      const current = (await store.findSessionUser('hash', T))?.avatar
      expect(current).toBe(`/avatars/${files[kept[0]!.data[0]]}`)
    })

    it('keeps everything across a reopen, migrating nothing twice', async () => {
      const { id } = await login('key', 'hash')
      await store.saveAvatar(id, 'a.png', avatar(7), T)
      await store.close()
      store = await openStore(fresh.config, quiet)
      expect((await store.findSessionUser('hash', T))?.id).toBe(id)
      expect(await store.findAvatar('a.png')).toEqual(avatar(7))
    })

    it('refuses a database that a newer release migrated, and changes nothing in it', async () => {
      await login('key', 'hash')
      await store.close()
      await fresh.exec(
        "INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', 'x')",
      )
      await expect(openStore(fresh.config, quiet)).rejects.toThrow(/9999_from_the_future/)
      await fresh.exec("DELETE FROM kysely_migration WHERE name = '9999_from_the_future'")
      store = await openStore(fresh.config, quiet)
      expect(await store.findSessionUser('hash', T)).toBeDefined()
    })

    it('keeps phone numbers encrypted: none in clear in the table, each tagged with its key', async () => {
      const { id } = await login('key', 'hash')
      const user = await store.setPhoneNumber(id, '13800138000', T)
      expect(user.phoneNumber).toBe('13800138000')
      expect((await store.findSessionUser('hash', T))?.phoneNumber).toBe('13800138000')
      const rows = await fresh.rows('SELECT * FROM users')
      expect(JSON.stringify(rows)).not.toContain('38001380')
      expect(rows[0]).toMatchObject({ phone_number: null, phone_encrypted: expect.any(String) })
      expect(String(rows[0].phone_encrypted)).toMatch(/^[0-9a-f]{8}:[\w-]+$/)
    })

    it('unbinds the phone number, and a second unbind changes nothing', async () => {
      const { id } = await login('key', 'hash')
      await store.setPhoneNumber(id, '13800138000', T)
      expect((await store.clearPhoneNumber(id, T)).phoneNumber).toBeNull()
      expect((await store.clearPhoneNumber(id, T)).phoneNumber).toBeNull()
      expect(await fresh.rows('SELECT phone_number, phone_encrypted FROM users')).toEqual([
        { phone_number: null, phone_encrypted: null },
      ])
    })

    it('ends every session of one user, and no one else’s', async () => {
      const { id } = await login('key', 'phone')
      await login('key', 'tablet')
      await store.recordLogin(
        { openid: 'oOther', unionid: null, sessionKey: 'k' },
        { tokenHash: 'other', expiresAt: T + 2000 },
        T,
      )
      await store.deleteUserSessions(id)
      expect(await store.findSessionUser('phone', T)).toBeUndefined()
      expect(await store.findSessionUser('tablet', T)).toBeUndefined()
      expect(await store.findSessionUser('other', T)).toBeDefined()
    })

    it('exports when the account began, the last login and the sessions open now', async () => {
      const first = await store.recordLogin(
        { openid: 'oStore', unionid: 'oUnion', sessionKey: 'k1' },
        { tokenHash: 'old', expiresAt: T + 1000 },
        T,
      )
      await store.recordLogin(
        { openid: 'oStore', unionid: null, sessionKey: 'k2' },
        { tokenHash: 'mid', expiresAt: T + 9000 },
        T + 500,
      )
      await store.recordLogin(
        { openid: 'oStore', unionid: null, sessionKey: 'k3' },
        { tokenHash: 'new', expiresAt: T + 9000 },
        T + 700,
      )
      await store.setPhoneNumber(first.id, '13800138000', T + 800)
      // At T + 1000 the first session has expired: two are open, the older since T + 500.
      expect(await store.exportAccount(first.id, T + 1000)).toEqual({
        user: expect.objectContaining({
          id: first.id,
          unionid: 'oUnion',
          phoneNumber: '13800138000',
        }),
        createdAt: T,
        lastLoginAt: T + 700,
        openSessions: 2,
        oldestSessionAt: T + 500,
      })
    })

    it('deletes a user with every session and avatar; the same openid then makes a new user', async () => {
      const { id } = await login('key', 'phone')
      await login('key', 'tablet')
      await store.setPhoneNumber(id, '13800138000', T)
      await store.saveAvatar(id, 'a.png', avatar(1), T)
      await store.deleteUser(id)
      expect(await store.findSessionUser('phone', T)).toBeUndefined()
      expect(await store.findSessionUser('tablet', T)).toBeUndefined()
      expect(await store.findAvatar('a.png')).toBeUndefined()
      for (const table of ['users', 'sessions', 'avatars']) {
        expect([table, await fresh.rows(`SELECT * FROM ${table}`)]).toEqual([table, []])
      }
      await expect(store.deleteUser(id)).rejects.toBeInstanceOf(UserGoneError)
      await expect(store.setPhoneNumber(id, '13800138000', T)).rejects.toBeInstanceOf(UserGoneError)
      await expect(store.exportAccount(id, T)).rejects.toBeInstanceOf(UserGoneError)
      const again = await login('key', 'again')
      expect(again.id).not.toBe(id)
      expect(again).toMatchObject({ nickName: null, avatar: null, phoneNumber: null })
    })

    it('re-encrypts every number with a new key, the old one still read meanwhile', async () => {
      const { id } = await login('key', 'hash')
      await store.setPhoneNumber(id, '13800138000', T)
      await store.close()
      const [oldKey] = phoneKeysOf(fresh)
      const rotated = { current: randomBytes(32), previous: [oldKey] }
      store = await openStore({ ...fresh.config, phoneKeys: rotated }, quiet)
      expect((await store.findSessionUser('hash', T))?.phoneNumber).toBe('13800138000')
      expect(await store.reencryptPhones()).toBe(1)
      expect(await store.reencryptPhones()).toBe(0)
      const [row] = await fresh.rows('SELECT phone_encrypted FROM users')
      expect(String(row.phone_encrypted).slice(0, 8)).toBe(phoneKeyId(rotated.current))
      await store.close()
      // The old key is no longer needed: the new one alone reads every number.
      store = await openStore({ ...fresh.config, phoneKeys: { ...rotated, previous: [] } }, quiet)
      expect((await store.findSessionUser('hash', T))?.phoneNumber).toBe('13800138000')
    })

    it('serves a user whose number no longer decrypts without it, and lets them delete the account', async () => {
      const { id } = await login('key', 'hash')
      await store.setPhoneNumber(id, '13800138000', T)
      const [row] = await fresh.rows('SELECT phone_encrypted FROM users')
      // The key id stays (the store opens), the value behind it is damaged: cut short.
      await fresh.exec(
        `UPDATE users SET phone_encrypted = '${String(row?.phone_encrypted).slice(0, 12)}'`,
      )
      const logged: string[] = []
      await store.close()
      store = await openStore(fresh.config, { ...quiet, error: (line) => logged.push(line) })
      const h = await startTestServer({ store })
      try {
        // The same user, through the server: its openid logs in.
        const { token, user } = await h.login('oStore')
        expect(user.id).toBe(id)
        const me = await h.call<{ user: { phoneNumber: string | null } }>('GET', '/api/me', {
          token,
        })
        expect(me).toMatchObject({ status: 200, body: { user: { phoneNumber: null } } })
        // Each read of the user says so (the login's answer, then GET /api/me).
        expect(logged).not.toHaveLength(0)
        for (const line of logged) expect(line).toContain(`phone number of user ${id}`)
        expect(logged.join('')).not.toContain('13800138000')
        const deleted = await h.call('DELETE', '/api/me', { token })
        expect(deleted.status).toBe(204)
      } finally {
        await h.close()
      }
    })

    it('refuses to open a database with numbers under a key it lacks, and names the key', async () => {
      const { id } = await login('key', 'hash')
      await store.setPhoneNumber(id, '13800138000', T)
      await store.close()
      const [oldKey] = phoneKeysOf(fresh)
      const other = { current: randomBytes(32), previous: [] }
      await expect(openStore({ ...fresh.config, phoneKeys: other }, quiet)).rejects.toThrow(
        `encrypted with key ${phoneKeyId(oldKey)}, which neither PHONE_ENCRYPTION_KEY nor PHONE_ENCRYPTION_KEYS holds`,
      )
      store = await openStore(fresh.config, quiet)
    })

    describe('a database the release before migrated (0001), with numbers in clear', () => {
      /** Back to the schema of 0001, with a user whose number that release stored in clear. */
      async function asTheReleaseBefore(): Promise<string> {
        const { id } = await login('key', 'hash')
        await store.close()
        await fresh.exec(
          "DELETE FROM kysely_migration WHERE name IN ('0002_expand_phone_encrypted', '0003_expand_account_times')",
        )
        for (const [table, column] of [
          ['users', 'phone_encrypted'],
          ['users', 'last_login_at'],
          ['sessions', 'created_at'],
        ]) {
          await fresh.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`)
        }
        await fresh.exec(`UPDATE users SET phone_number = '13900001111'`)
        return id
      }

      it('is migrated: every number encrypted, none left in clear, each read back', async () => {
        await asTheReleaseBefore()
        store = await openStore(fresh.config, quiet)
        expect((await store.findSessionUser('hash', T))?.phoneNumber).toBe('13900001111')
        expect(JSON.stringify(await fresh.rows('SELECT * FROM users'))).not.toContain('39000011')
      })

      it('keeps serving an instance of the release before, which finds no number and may bind one', async () => {
        const id = await asTheReleaseBefore()
        store = await openStore(fresh.config, quiet)
        // What that release runs, statement for statement (its store.ts): a login of a new user
        // and its session, without the new columns, …
        await fresh.exec(
          `INSERT INTO users (id, openid, unionid, session_key, created_at, updated_at)
           VALUES ('u-old', 'oOldRelease', NULL, 'k', ${T}, ${T})
           ON CONFLICT (openid) DO UPDATE SET session_key = excluded.session_key`,
        )
        await fresh.exec(
          `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('old-hash', '${id}', ${T + 2000})`,
        )
        // … its read of the user (NULL: to it, no number is bound) …
        expect(await fresh.rows(`SELECT phone_number FROM users WHERE id = '${id}'`)).toEqual([
          { phone_number: null },
        ])
        // … and a number it binds, in clear, which this release reads as the newer one, and
        // encrypts on the next re-encryption.
        await fresh.exec(`UPDATE users SET phone_number = '13922223333' WHERE id = '${id}'`)
        expect((await store.findSessionUser('old-hash', T))?.phoneNumber).toBe('13922223333')
        expect(await store.reencryptPhones()).toBe(1)
        expect((await store.findSessionUser('hash', T))?.phoneNumber).toBe('13922223333')
        expect(JSON.stringify(await fresh.rows('SELECT * FROM users'))).not.toContain('39222233')
        expect((await store.exportAccount('u-old', T)).lastLoginAt).toBeNull()
      })
    })

    it('says the schema is what this release needs', async () => {
      await expect(store.schemaProblem()).resolves.toBeNull()
    })

    it('is the store of a server that sweeps expired sessions on an interval', async () => {
      const h = await startTestServer({ store, sweepIntervalMs: 10 })
      try {
        const { token } = await h.login()
        const hash = hashToken(token)
        expect(await store.findSessionUser(hash, 0)).toBeDefined()
        h.advance(8 * 24 * 3600 * 1000)
        while (await store.findSessionUser(hash, 0))
          await new Promise((done) => setTimeout(done, 10))
        expect((await h.call('GET', '/api/me', { token })).status).toBe(401)
      } finally {
        await h.close()
      }
    })
  })
}

describe('a SQLite DATA_DIR', () => {
  let config: StoreConfig
  let remove: () => Promise<void>

  beforeEach(async () => {
    ;({ config, remove } = await ENGINES[0].fresh())
  })

  afterEach(async () => {
    await remove()
  })

  const file = () => join(config.dataDir, SQLITE_FILE)

  it('made before migrations existed is adopted with every user, session and avatar', async () => {
    // Exactly what the release before migrations created and wrote.
    const old = new Database(file())
    old.exec(`
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
      PRAGMA user_version = 1;
      INSERT INTO users VALUES ('u-1', 'oOld', 'oUnion', 'old-key', '老用户',
        '/avatars/old.png', '13900001111', ${T}, ${T});
      INSERT INTO sessions VALUES ('old-hash', 'u-1', ${T + 60_000});
    `)
    old
      .prepare('INSERT INTO avatars VALUES (?, ?, ?, ?)')
      .run('old.png', 'u-1', 'image/png', Buffer.from([9]))
    old.close()

    const store = await openStore(config, quiet)
    try {
      expect(await store.findSessionUser('old-hash', T)).toEqual({
        id: 'u-1',
        openid: 'oOld',
        unionid: 'oUnion',
        sessionKey: 'old-key',
        nickName: '老用户',
        avatar: '/avatars/old.png',
        phoneNumber: '13900001111',
      })
      expect(await store.findAvatar('old.png')).toEqual(avatar(9))
      const again = await store.recordLogin(
        { openid: 'oOld', unionid: null, sessionKey: 'new-key' },
        { tokenHash: 'new-hash', expiresAt: T + 60_000 },
        T,
      )
      expect(again).toMatchObject({ id: 'u-1', sessionKey: 'new-key', phoneNumber: '13900001111' })
    } finally {
      await store.close()
    }
  })

  /** Everything SQLite wrote to disk: the database file and its write-ahead log, as bytes. */
  const onDisk = () =>
    Buffer.concat(
      [file(), `${file()}-wal`]
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path)),
    )

  it('holds no phone number in clear, not even one the release before wrote there', async () => {
    const old = new Database(file())
    old.exec(`
      CREATE TABLE users (id TEXT PRIMARY KEY, openid TEXT NOT NULL UNIQUE, unionid TEXT,
        session_key TEXT NOT NULL, nick_name TEXT, avatar TEXT, phone_number TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      PRAGMA user_version = 1;
      INSERT INTO users VALUES ('u-1', 'oOld', NULL, 'k', NULL, NULL, '13900001111', ${T}, ${T});
    `)
    old.close()
    expect(onDisk().includes('13900001111')).toBe(true)
    const store = await openStore(config, quiet)
    try {
      const { id } = await store.recordLogin(
        { openid: 'oNew', unionid: null, sessionKey: 'k' },
        { tokenHash: 'h', expiresAt: T + 1000 },
        T,
      )
      await store.setPhoneNumber(id, '13722224444', T)
      const bytes = onDisk()
      expect([bytes.includes('13900001111'), bytes.includes('13722224444')]).toEqual([false, false])
    } finally {
      await store.close()
    }
  })

  it('keeps nothing of a deleted user readable in its files (secure delete)', async () => {
    const store = await openStore(config, quiet)
    const marks = {
      openid: 'oDeletedOpenid0000000000000',
      sessionKey: 'DeletedSessionKey0000000==',
      nickName: 'DeletedNickname',
      avatar: 'DeletedAvatarBytes',
    }
    try {
      const { id } = await store.recordLogin(
        { openid: marks.openid, unionid: null, sessionKey: marks.sessionKey },
        { tokenHash: 'h', expiresAt: T + 1000 },
        T,
      )
      await store.setProfile(id, { nickName: marks.nickName }, T)
      await store.saveAvatar(
        id,
        'a.png',
        { contentType: 'image/png', data: Buffer.from(marks.avatar.repeat(500)) },
        T,
      )
      const before = onDisk()
      expect(Object.values(marks).filter((mark) => before.includes(mark))).toEqual(
        Object.values(marks),
      )
      await store.deleteUser(id)
      const after = onDisk()
      expect(Object.values(marks).filter((mark) => after.includes(mark))).toEqual([])
    } finally {
      await store.close()
    }
  })

  it('made by this release stays at user_version 1, so the release before can still open it', async () => {
    await (await openStore(config, quiet)).close()
    const db = new Database(file())
    expect(db.pragma('user_version', { simple: true })).toBe(1)
    db.close()
  })

  it('written with a newer schema version is refused', async () => {
    const db = new Database(file())
    db.pragma('user_version = 99')
    db.close()
    await expect(openStore(config, quiet)).rejects.toThrow(/schema version 99/)
  })
})
