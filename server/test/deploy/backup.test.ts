/** deploy/backup.sh: a backup that restores, on both engines, and only the newest kept. */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describeWhenAvailable } from '../../../test/support/needs'
import { openStore, type StoreLog } from '../../src/store'
import { SQLITE_FILE } from '../../src/store/sqlite'
import { newPhoneKeys } from '../support/engines'
import { freshDatabase, postgresMissing } from '../support/postgres'

const BACKUP = resolve(__dirname, '../../deploy/backup.sh')
const T = Date.UTC(2026, 0, 1)
const quiet: StoreLog = { error: () => undefined, info: () => undefined }
const run = promisify(execFile)

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weapp-login-backup-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the script with only these variables beside PATH, as cron would. */
const backup = (env: Record<string, string>) =>
  run(BACKUP, [], { env: { PATH: process.env.PATH ?? '', BACKUP_DIR: join(dir, 'out'), ...env } })

const login = { openid: 'oBackedUp', unionid: null, sessionKey: 'key' }

it('backs up SQLite while the server runs, keeping the newest KEEP, restorable as the file', async () => {
  const dataDir = join(dir, 'data')
  const store = await openStore({ dataDir, database: null }, quiet)
  let userId: string
  try {
    userId = (await store.recordLogin(login, { tokenHash: 'hash', expiresAt: T + 1000 }, T)).id
    const made: string[] = []
    for (let i = 0; i < 3; i++) {
      const { stdout } = await backup({ DATA_DIR: dataDir, KEEP: '2' })
      made.push(/^backup: (\S+\.sqlite3)$/m.exec(stdout)?.[1] ?? '')
    }
    expect(
      readdirSync(join(dir, 'out'))
        .map((name) => join(dir, 'out', name))
        .sort(),
    ).toEqual(made.slice(1).sort())
    mkdirSync(join(dir, 'restored'))
    copyFileSync(made[2] ?? '', join(dir, 'restored', SQLITE_FILE))
  } finally {
    await store.close()
  }
  const restored = await openStore({ dataDir: join(dir, 'restored'), database: null }, quiet)
  try {
    expect((await restored.findSessionUser('hash', T))?.id).toBe(userId)
  } finally {
    await restored.close()
  }
})

describeWhenAvailable('a backup of PostgreSQL', postgresMissing, () => {
  it('restores with pg_restore into an empty database, sessions and all', async () => {
    const source = await freshDatabase()
    const target = await freshDatabase()
    // The key is kept apart from the database and its backups: the restore is given it.
    const phoneKeys = newPhoneKeys()
    const store = await openStore(
      { dataDir: '', database: { url: source.url, poolMax: 2 }, phoneKeys },
      quiet,
    )
    try {
      const user = await store.recordLogin(login, { tokenHash: 'hash', expiresAt: T + 1000 }, T)
      await store.setPhoneNumber(user.id, '13800138000', T)
      const { stdout } = await backup({ DATABASE_URL: source.url })
      const file = /^backup: (\S+\.dump)$/m.exec(stdout)?.[1] ?? ''
      await run('pg_restore', ['--no-owner', '-d', target.url, file])
      const restored = await openStore(
        { dataDir: '', database: { url: target.url, poolMax: 2 }, phoneKeys },
        quiet,
      )
      try {
        expect(await restored.findSessionUser('hash', T)).toMatchObject({
          id: user.id,
          phoneNumber: '13800138000',
        })
        expect(await restored.schemaProblem()).toBeNull()
      } finally {
        await restored.close()
      }
    } finally {
      await store.close()
      await source.drop()
      await target.drop()
    }
  })
})
