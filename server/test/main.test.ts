import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import * as http from 'node:http'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseEmulatorLine, parseServerLine, type ServerListening } from '../../common/listening'
import { EMULATOR_APPID, EMULATOR_SECRET } from '../../emulator'
import { startServer, type RunningServer } from '../src/server'
import { SQLITE_FILE } from '../src/store/sqlite'

// The server as its users start it: `npm start` (node --import tsx server/src/main.ts) and, in
// production, the compiled JavaScript of `npm run build`.
const ROOT = resolve(__dirname, '..', '..')
/**
 * The server's first whole line (a line is not there until its newline is), after npm's own
 * banner under npm start: `> weapp-login-repo@… start` and the command, then a blank line.
 */
const FIRST_LINE = /^(?:>.*\n|\n)*([^>\n].*)\n/

let dataDir: string

/** Production's key of the phone numbers at rest (PHONE_ENCRYPTION_KEY): a test's own. */
const PHONE_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64')

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

function start(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, {
    cwd: ROOT,
    // SQLite in the test's DATA_DIR unless the test says otherwise, even where CI exports a
    // DATABASE_URL.
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, DATABASE_URL: '', ...env },
  })
  let stdout = ''
  let stderr = ''
  const waiting: Array<{ pattern: RegExp; done: (match: RegExpExecArray) => void }> = []
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    for (const wait of [...waiting]) {
      const match = wait.pattern.exec(stdout)
      if (match) {
        waiting.splice(waiting.indexOf(wait), 1)
        wait.done(match)
      }
    }
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  /** Resolves when stdout matches, or fails if the process exits first. */
  const printed = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((done, fail) => {
      const match = pattern.exec(stdout)
      if (match) return done(match)
      waiting.push({ pattern, done })
      void exited.then(() => fail(new Error(`exited before ${pattern}:\n${stdout}\n${stderr}`)))
    })
  return { child, exited, printed, output: () => ({ stdout, stderr }) }
}

/** The server's first line, read as the tools read it; its URL is on 127.0.0.1. */
async function listening(server: ReturnType<typeof start>): Promise<ServerListening> {
  const [, line = ''] = await server.printed(FIRST_LINE)
  const parsed = parseServerLine(line)
  if (!parsed) throw new Error(`not a listening line: ${line}`)
  expect(parsed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  return parsed
}

/** The first line of a server with its built-in emulator: the emulator's base is under it. */
async function listeningWithEmulator(
  server: ReturnType<typeof start>,
): Promise<{ url: string; wechatBase: string }> {
  const { url, wechatApiBase, builtInEmulator } = await listening(server)
  expect(builtInEmulator).toBe(true)
  expect(wechatApiBase).toBe(`${url}/__wechat`)
  return { url, wechatBase: wechatApiBase }
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

/** A login against a server with the built-in emulator: its status. */
async function loginThroughOwnEmulator(url: string, wechatBase: string): Promise<number> {
  const minted = await postJson(`${wechatBase}/control/login`, {})
  const { code } = minted.body as { code: string }
  return (await postJson(`${url}/api/auth/login`, { code })).status
}

describe('npm start', () => {
  it('prints where it listens, with PORT=0 the real port, and serves the emulator', async () => {
    const server = start('npm', ['start'], { PORT: '0' })
    try {
      const { url, wechatBase } = await listeningWithEmulator(server)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      expect(await loginThroughOwnEmulator(url, wechatBase)).toBe(200)
      // The second line, whatever the log says meanwhile (Fastify logs as it starts).
      const [, , second] = await server.printed(new RegExp(FIRST_LINE.source + '(.*)\\n'))
      expect(second).toBe(`preview: ${url}/preview/`)
      const preview = `${url}/preview/`
      expect((await fetch(preview)).headers.get('content-type')).toMatch(/^text\/html/)
      expect(server.output().stdout).toContain('preview mode')
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).toBe(0)
  }, 30_000)

  it('warns when its metrics listen beyond the loopback without METRICS_TOKEN', async () => {
    const server = start('npm', ['start'], {
      PORT: '0',
      METRICS_PORT: '0',
      METRICS_HOST: '0.0.0.0',
    })
    try {
      await server.printed(/^metrics: /m)
      await server.printed(/^warning: the metrics on METRICS_HOST=0\.0\.0\.0 answer whoever/m)
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).toBe(0)
  }, 30_000)

  it('serves the emulator but never the preview under NODE_ENV=production with EMULATOR=1', async () => {
    const server = start('npm', ['start'], {
      NODE_ENV: 'production',
      PHONE_ENCRYPTION_KEY,
      EMULATOR: '1',
      PORT: '0',
    })
    try {
      const { url, wechatBase } = await listeningWithEmulator(server)
      // Printed after where the preview's line would be.
      await server.printed(/^warning: EMULATOR=1 under NODE_ENV=production/m)
      expect(server.output().stdout).not.toContain('preview:')
      expect(server.output().stdout).not.toContain('browser preview')
      const page = await fetch(`${url}/preview/`)
      expect(page.status).toBe(404)
      expect(await page.json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'no route GET /preview/' },
      })
      expect(await loginThroughOwnEmulator(url, wechatBase)).toBe(200)
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).toBe(0)
  }, 30_000)

  it('exits 1 with a clear message on a bad configuration', async () => {
    const server = start('npm', ['start'], { PORT: 'eighty', WECHAT_APPID: 'wx4f4bc4dec97d474b' })
    expect(await server.exited).toBe(1)
    const { stderr, stdout } = server.output()
    expect(stderr).toContain('invalid configuration:')
    expect(stderr).toContain('PORT must be an integer')
    expect(stderr).toContain('WECHAT_SECRET')
    expect(stdout).not.toContain('listening on')
  }, 30_000)

  it('exits 1 when PostgreSQL cannot be reached, without printing its password', async () => {
    const server = start('npm', ['start'], {
      DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${await closedPort()}/weapp`,
    })
    expect(await server.exited).toBe(1)
    const { stderr, stdout } = server.output()
    expect(stderr).toMatch(/^cannot start: the database cannot be reached \(ECONNREFUSED\)$/m)
    expect(stderr + stdout).not.toContain('s3cret-pw')
  }, 30_000)

  describe('on SIGTERM to the process npm started', () => {
    // WeChat elsewhere, as in production: this server's stop must not take its WeChat with it.
    let wechat: RunningServer

    beforeAll(async () => {
      wechat = await startServer({ log: false })
    })

    afterAll(async () => {
      await wechat.close()
    })

    it('stops accepting, finishes the request in flight, closes the store and exits 0', async () => {
      const server = start('npm', ['start'], {
        NODE_ENV: 'production',
        PHONE_ENCRYPTION_KEY,
        PORT: '0',
        WECHAT_APPID: EMULATOR_APPID,
        WECHAT_SECRET: EMULATOR_SECRET,
        WECHAT_API_BASE: wechat.wechatApiBase,
        // The line of each request as it arrives, below.
        LOG_LEVEL: 'debug',
      })
      // The server's pid, from its own log line, is a child of npm's: no shell in between.
      const pid = Number((await server.printed(/"pid":(\d+)/))[1])
      try {
        await stopsGracefully(server, pid)
      } finally {
        if (server.child.exitCode === null) {
          // Only after a failure: nothing may outlive the test.
          process.kill(pid, 'SIGKILL')
          server.child.kill('SIGKILL')
        }
      }
    }, 30_000)

    async function stopsGracefully(server: ReturnType<typeof start>, pid: number): Promise<void> {
      const { url } = await listening(server)
      const port = new URL(url).port
      const parent = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]
      expect(Number(parent)).toBe(server.child.pid)

      const { code } = wechat.emulator!.control.mintLoginCode({})
      const body = JSON.stringify({ code })
      const login = http.request(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      })
      const answer = new Promise<{ status: number; connection: unknown; body: string }>(
        (done, fail) => {
          login.on('error', fail)
          login.on('response', (response) => {
            let text = ''
            response.on('data', (chunk: Buffer) => (text += chunk.toString()))
            response.on('end', () =>
              done({
                status: response.statusCode ?? 0,
                connection: response.headers.connection,
                body: text,
              }),
            )
          })
        },
      )
      // Half the body: the request is in flight until the rest comes.
      login.write(body.slice(0, 10))
      await server.printed(/"url":"\/api\/auth\/login".*"msg":"incoming request"/)

      // SQLite removes its write-ahead log when the store closes, not when the process dies.
      const wal = join(dataDir, `${SQLITE_FILE}-wal`)
      expect(existsSync(wal)).toBe(true)
      process.kill(pid, 'SIGTERM')
      await server.printed(/^\{.*"msg":"SIGTERM: stopping: no new connections/m)
      const refused = await new Promise<string>((done) => {
        const socket = connect(Number(port), '127.0.0.1')
        socket.on('connect', () => {
          socket.destroy()
          done('connected')
        })
        socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
      })
      expect(refused).toBe('ECONNREFUSED')

      login.end(body.slice(10))
      // The client is told not to reuse the connection, which would hold the stop open.
      expect(await answer).toEqual({
        status: 200,
        connection: 'close',
        body: expect.stringContaining('"token":'),
      })
      expect(await server.exited).toBe(0)
      expect(existsSync(wal)).toBe(false)
    }
  })
})

describe('the compiled server (npm run build)', () => {
  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT })
  }, 120_000)

  it('runs as plain JavaScript under NODE_ENV=production with EMULATOR=1', async () => {
    const server = start(process.execPath, ['server/dist/main.js'], {
      NODE_ENV: 'production',
      PHONE_ENCRYPTION_KEY,
      EMULATOR: '1',
      PORT: '0',
      // Nothing may load TypeScript at run time.
      NODE_OPTIONS: '',
    })
    try {
      const { url, wechatBase } = await listeningWithEmulator(server)
      expect(await loginThroughOwnEmulator(url, wechatBase)).toBe(200)
      expect(server.output().stdout).toContain('warning: EMULATOR=1 under NODE_ENV=production')
    } finally {
      server.child.kill('SIGINT')
    }
    expect(await server.exited).toBe(0)
  }, 30_000)

  it('runs in development with the emulator, and says that the preview needs npm start', async () => {
    const server = start(process.execPath, ['server/dist/main.js'], { PORT: '0', NODE_OPTIONS: '' })
    try {
      const { url, wechatBase } = await listeningWithEmulator(server)
      await server.printed(/^the browser preview comes with npm start/m)
      expect(server.output().stdout).not.toContain('preview:')
      expect((await fetch(`${url}/preview/`)).status).toBe(404)
      expect(await loginThroughOwnEmulator(url, wechatBase)).toBe(200)
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).toBe(0)
  }, 30_000)

  it('runs npm run reencrypt-phones as plain JavaScript (server/dist/reencrypt-phones.js)', async () => {
    const command = start(process.execPath, ['server/dist/reencrypt-phones.js'], {
      NODE_OPTIONS: '',
    })
    expect(await command.exited).toBe(0)
    expect(command.output().stdout).toMatch(/^re-encrypted 0 phone numbers with key [0-9a-f]{8}\n$/)
  }, 30_000)

  it('runs the standalone emulator as plain JavaScript', async () => {
    const emulator = start(process.execPath, ['server/dist/emulator/main.js'], {
      EMULATOR_PORT: '0',
      NODE_OPTIONS: '',
    })
    try {
      const [, line = ''] = await emulator.printed(FIRST_LINE)
      const url = parseEmulatorLine(line)?.url
      const minted = await postJson(`${url}/control/login`, {})
      expect(minted).toEqual({
        status: 200,
        body: { code: expect.any(String), openid: expect.any(String) },
      })
    } finally {
      emulator.child.kill('SIGTERM')
    }
    expect(await emulator.exited).toBe(0)
  }, 30_000)

  it('prints WECHAT_API_BASE without the credentials it may carry', async () => {
    const server = start(process.execPath, ['server/dist/main.js'], {
      NODE_ENV: 'production',
      WECHAT_APPID: EMULATOR_APPID,
      WECHAT_SECRET: EMULATOR_SECRET,
      WECHAT_API_BASE: `http://proxy-user:proxy-pw@127.0.0.1:${await closedPort()}`,
      PHONE_ENCRYPTION_KEY,
      PORT: '0',
      NODE_OPTIONS: '',
    })
    try {
      const { wechatApiBase, builtInEmulator } = await listening(server)
      expect(builtInEmulator).toBe(false)
      expect(wechatApiBase).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+$/)
    } finally {
      server.child.kill('SIGTERM')
    }
    expect(await server.exited).toBe(0)
    const { stdout, stderr } = server.output()
    expect(stdout + stderr).not.toContain('proxy-pw')
  }, 30_000)

  it('refuses to start under NODE_ENV=production without WeChat credentials', async () => {
    const server = start(process.execPath, ['server/dist/main.js'], {
      NODE_ENV: 'production',
      PORT: '0',
    })
    expect(await server.exited).toBe(1)
    const { stderr, stdout } = server.output()
    expect(stderr).toContain('NODE_ENV=production needs WeChat credentials')
    expect(stderr).toContain('set WECHAT_APPID and WECHAT_SECRET')
    expect(stderr).toContain('EMULATOR=1')
    expect(stdout).not.toContain('listening on')
  }, 30_000)
})
