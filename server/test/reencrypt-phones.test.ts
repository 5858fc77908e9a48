/**
 * `npm run reencrypt-phones`, as an operator runs it after rotating PHONE_ENCRYPTION_KEY: its own
 * process, the server's environment, a SQLite DATA_DIR of the test's own.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { phoneKeyId } from '../src/config/phone-keys'
import { openStore, type StoreLog } from '../src/store'

const ROOT = resolve(__dirname, '../..')
const T = Date.UTC(2026, 0, 1)
const quiet: StoreLog = { error: () => undefined, info: () => undefined }

let dataDir: string

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-reencrypt-'))
})

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

async function run(env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'reencrypt-phones'],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', ...env } },
    )
    return { code: 0, out: stdout + stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, out: failed.stdout + failed.stderr }
  }
}

it('encrypts every number again with the new key, the old one read meanwhile; a second run writes nothing', async () => {
  const oldKey = randomBytes(32)
  const newKey = randomBytes(32)
  const before = await openStore(
    { dataDir, database: null, phoneKeys: { current: oldKey, previous: [] } },
    quiet,
  )
  const { id } = await before.recordLogin(
    { openid: 'oRotate', unionid: null, sessionKey: 'k' },
    { tokenHash: 'h', expiresAt: T + 1000 },
    T,
  )
  await before.setPhoneNumber(id, '13800138000', T)
  await before.close()

  const env = {
    PHONE_ENCRYPTION_KEY: newKey.toString('base64'),
    PHONE_ENCRYPTION_KEYS: oldKey.toString('base64'),
  }
  expect(await run(env)).toEqual({
    code: 0,
    out: `re-encrypted 1 phone numbers with key ${phoneKeyId(newKey)}\n`,
  })
  expect((await run(env)).out).toBe(`re-encrypted 0 phone numbers with key ${phoneKeyId(newKey)}\n`)

  // The old key is no longer needed.
  const after = await openStore(
    { dataDir, database: null, phoneKeys: { current: newKey, previous: [] } },
    quiet,
  )
  try {
    expect((await after.findSessionUser('h', T))?.phoneNumber).toBe('13800138000')
  } finally {
    await after.close()
  }
}, 30_000)

it('says what is wrong with the configuration and exits 1, never echoing a key', async () => {
  const { code, out } = await run({ PHONE_ENCRYPTION_KEY: 'not-a-key' })
  expect(code).toBe(1)
  expect(out).toContain('PHONE_ENCRYPTION_KEY must be 32 random bytes in base64')
  expect(out).not.toContain('not-a-key')
}, 30_000)
