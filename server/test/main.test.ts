import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createServer, type AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'

// `npm start` runs exactly this: tsx src/main.ts in server/.
const SERVER_DIR = resolve(__dirname, '..')
const TSX = resolve(SERVER_DIR, '..', 'node_modules', '.bin', 'tsx')
const LISTEN_LINE =
  /^listening on (http:\/\/127\.0\.0\.1:(\d+)) \(WeChat API: emulator at (http:\/\/127\.0\.0\.1:\2\/__wechat)\)$/m

let dataDir: string

/** A port of 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  await new Promise((done) => server.close(done))
  return port
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-main-'))
})

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

function start(env: Record<string, string>) {
  const child = spawn(TSX, ['src/main.ts'], {
    cwd: SERVER_DIR,
    // SQLite in the test's DATA_DIR unless the test says otherwise, even where CI exports a
    // DATABASE_URL.
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  const listening = new Promise<RegExpExecArray>((done, fail) => {
    child.stdout.on('data', () => {
      const match = LISTEN_LINE.exec(stdout)
      if (match) done(match)
    })
    void exited.then(() => fail(new Error(`exited before listening:\n${stdout}\n${stderr}`)))
  })
  // Awaited only by the tests that expect the server to come up.
  listening.catch(() => undefined)
  return { child, exited, listening, output: () => ({ stdout, stderr }) }
}

it('prints where it listens, with PORT=0 the real port, and serves the emulator', async () => {
  const server = start({ PORT: '0' })
  try {
    const [, url, , wechatBase] = await server.listening
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const minted = await fetch(`${wechatBase}/control/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    const { code } = (await minted.json()) as { code: string }
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    })
    expect(login.status).toBe(200)
    expect(server.output().stdout).toContain('preview mode')
  } finally {
    server.child.kill('SIGTERM')
  }
  expect(await server.exited).toBe(0)
}, 20_000)

it('exits 1 with a clear message on a bad configuration', async () => {
  const server = start({ PORT: 'eighty', WECHAT_APPID: 'wx4f4bc4dec97d474b' })
  expect(await server.exited).toBe(1)
  const { stderr, stdout } = server.output()
  expect(stderr).toContain('invalid configuration:')
  expect(stderr).toContain('PORT must be an integer')
  expect(stderr).toContain('WECHAT_SECRET')
  expect(stdout).not.toContain('listening on')
}, 20_000)

it('exits 1 when PostgreSQL cannot be reached, without printing its password', async () => {
  const server = start({
    DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${await closedPort()}/weapp`,
  })
  expect(await server.exited).toBe(1)
  const { stderr, stdout } = server.output()
  expect(stderr).toMatch(/^cannot start: the database cannot be reached \(ECONNREFUSED\)$/m)
  expect(stderr + stdout).not.toContain('s3cret-pw')
}, 20_000)
