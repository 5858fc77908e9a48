import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describeWhenAvailable } from '../../../test/support/needs'
import { openStore, type Store, type StoreLog } from '../../src/store'
import { hashToken } from '../../src/sessions/tokens'
import { SQLITE_FILE } from '../../src/store/sqlite'
import { ENGINES, type FreshStore, type StoreConfig } from '../support/engines'
import { startTestServer } from '../support/test-server'

// Real epoch milliseconds: past 2^31, as a 32-bit column could not hold.
const T = Date.UTC(2026, 0, 1)

const quiet: StoreLog = { error: () => undefined, info: () => undefined }

const avatar = (byte: number) => ({ contentType: 'image/png', data: Buffer.from([byte]) })

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
