import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore, type Store } from '../src/store'
import { hashToken } from '../src/tokens'
import { startHarness } from './support/harness'

let dataDir: string
let store: Store

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-store-'))
  store = openStore(dataDir)
})

afterEach(async () => {
  store.close()
  await rm(dataDir, { recursive: true, force: true })
})

const login = (
  sessionKey: string,
  tokenHash: string,
  expiresAt = 2000,
  unionid: string | null = null,
) => store.recordLogin({ openid: 'oStore', unionid, sessionKey }, { tokenHash, expiresAt }, 1000)

describe('the store', () => {
  it('keeps one user per openid, with the latest session_key and the first known unionid', () => {
    const first = login('key-1', 'hash-1', 2000, 'oUnion')
    const second = login('key-2', 'hash-2')
    expect(second.id).toBe(first.id)
    expect(second).toMatchObject({ sessionKey: 'key-2', unionid: 'oUnion' })
    expect(store.findSessionUser('hash-1', 1500)?.sessionKey).toBe('key-2')
  })

  it('finds a session only before it expires, and never after it is deleted', () => {
    login('key', 'hash', 2000)
    expect(store.findSessionUser('hash', 1999)).toBeDefined()
    expect(store.findSessionUser('hash', 2000)).toBeUndefined()
    store.deleteSession('hash')
    expect(store.findSessionUser('hash', 0)).toBeUndefined()
  })

  it('sweeps expired sessions only', () => {
    login('key', 'old', 2000)
    login('key', 'new', 5000)
    expect(store.deleteExpiredSessions(3000)).toBe(1)
    expect(store.findSessionUser('old', 0)).toBeUndefined()
    expect(store.findSessionUser('new', 0)).toBeDefined()
  })

  it('keeps only the current avatar’s bytes', () => {
    const { id } = login('key', 'hash')
    const avatar = (byte: number) => ({ contentType: 'image/png', data: Buffer.from([byte]) })
    store.saveAvatar(id, 'first.png', avatar(1), 1000)
    const user = store.saveAvatar(id, 'second.png', avatar(2), 1000)
    expect(user.avatar).toBe('/avatars/second.png')
    expect(store.findAvatar('first.png')).toBeUndefined()
    expect(store.findAvatar('second.png')?.data).toEqual(Buffer.from([2]))
    store.setProfile(id, { avatar: 'https://thirdwx.qlogo.cn/a/132' }, 1000)
    expect(store.findAvatar('second.png')).toBeUndefined()
  })

  it('refuses a DATA_DIR written with another schema version', () => {
    store.close()
    const db = new Database(join(dataDir, 'weapp-login.sqlite3'))
    db.pragma('user_version = 99')
    db.close()
    expect(() => openStore(dataDir)).toThrow(/schema version 99/)
    store = openStore(join(dataDir, 'fresh'))
  })
})

it('the server sweeps expired sessions on an interval', async () => {
  const h = await startHarness({ store, sweepIntervalMs: 10 })
  try {
    const { token } = await h.login()
    const hash = hashToken(token)
    expect(store.findSessionUser(hash, 0)).toBeDefined()
    h.advance(8 * 24 * 3600 * 1000)
    while (store.findSessionUser(hash, 0)) await new Promise((done) => setTimeout(done, 10))
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401)
  } finally {
    await h.close()
  }
})
