/**
 * The reference server as a user's phone meets it: its own process (`node --import tsx
 * server/src/main.ts`, what `npm start` runs, minus npm's wrapper, so `pid` is the server's),
 * on a free port of 127.0.0.1, with the built-in WeChat emulator in strict mode and its store in
 * SQLite in a temporary DATA_DIR (or PostgreSQL, given DATABASE_URL in `env`). It can be stopped
 * and started again on the same port and data, like a redeploy.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseServerLine } from '../../common/listening'
import { controlClient, MOUNTED_AT, type ControlClient, type Fetch } from '../../emulator/client'

const ROOT = path.resolve(__dirname, '../..')

/** How node runs `script`: TypeScript through tsx (as npm start), compiled JavaScript plainly. */
export function nodeArgs(script: string): string[] {
  return script.endsWith('.ts') ? ['--import', 'tsx', script] : [script]
}

/**
 * Starts `node --import tsx <script>` (or plain `node <script>` for compiled JavaScript) and
 * resolves with its URL once it prints its listen line. Its output goes to `logFile`, not a pipe:
 * a server that logs every request would otherwise stall on a full pipe whenever this process is
 * busy (generating load, say).
 */
export async function startListening(
  script: string,
  env: Record<string, string>,
  logFile: string,
  urlOf: (firstLine: string) => string | null = (line) => parseServerLine(line)?.url ?? null,
): Promise<{ child: ChildProcess; url: string }> {
  const log = fs.openSync(logFile, 'a')
  const from = fs.fstatSync(log).size
  const child = spawn(process.execPath, nodeArgs(script), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  })
  fs.closeSync(log)
  const printed = () => fs.readFileSync(logFile, 'utf8').slice(from)
  const url = await new Promise<string>((resolve, reject) => {
    const exited = (code: number | null) => {
      clearInterval(timer)
      reject(new Error(`${script} exited (${code}):\n${printed()}`))
    }
    const timer = setInterval(() => {
      const output = printed()
      const end = output.indexOf('\n')
      if (end < 0) return
      clearInterval(timer)
      child.off('exit', exited)
      const url = urlOf(output.slice(0, end))
      if (url !== null) resolve(url)
      else reject(new Error(`${script}: unexpected first line:\n${output}`))
    }, 10)
    child.once('exit', exited)
  })
  return { child, url }
}

export class ServerProcess {
  url = ''
  private child: ChildProcess | null = null
  private port = 0
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-e2e-'))
  /** Everything the server printed, across restarts. */
  readonly logFile = path.join(this.dataDir, 'server.log')

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    const { child, url } = await startListening(
      'server/src/main.ts',
      {
        HOST: '127.0.0.1',
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        // SQLite in that DATA_DIR unless `env` says otherwise: an inherited DATABASE_URL (CI
        // exports one) would put every suite's servers in one shared database.
        DATABASE_URL: '',
        EMULATOR_MODE: 'strict',
        // One address plays every user here; the limiter has its own tests.
        RATE_LIMIT_PER_MIN: '0',
        ...this.env,
      },
      this.logFile,
    )
    this.child = child
    this.url = url
    this.port = Number(new URL(url).port)
  }

  get pid(): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error('the server is not running')
    return pid
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    this.child = null
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  async dispose(): Promise<void> {
    await this.stop()
    fs.rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** The control API of the server's built-in emulator. */
  get control(): ControlClient {
    return builtInEmulatorOf(this.url)
  }

  /** A JSON call, for checking what the server stored. */
  call<T>(method: string, urlPath: string, body?: unknown, token?: string): Promise<T> {
    return callServer<T>(this.url, method, urlPath, body, token)
  }
}

/** A JSON call to the server at `url`; an error answer throws, saying what it was. */
export async function callServer<T>(
  url: string,
  method: string,
  urlPath: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const { status, data } = await httpJson(method, url + urlPath, body, token)
  if (status >= 400) throw new Error(`${method} ${urlPath} → ${status} ${JSON.stringify(data)}`)
  return data as T
}

function httpJson(
  method: string,
  url: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; data: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const headers: Record<string, string> = {}
  if (payload !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, data: text ? JSON.parse(text) : null })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** The control API of the emulator built into the server at `serverUrl`. */
export function builtInEmulatorOf(serverUrl: string): ControlClient {
  return controlClient(serverUrl + MOUNTED_AT, { fetch: nodeFetch })
}

/** fetch over node:http, for suites whose sandbox (jsdom) has no fetch of its own. */
export const nodeFetch: Fetch = (url, init) =>
  new Promise((resolve, reject) => {
    const request = http.request(url, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, text: async () => text })
      })
    })
    request.on('error', reject)
    request.end(init.body)
  })

/** A plain GET of a file the server serves: its status, content type and size. */
export function fetchFile(url: string): Promise<{ status: number; type: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let bytes = 0
        res.on('data', (chunk: Buffer) => (bytes += chunk.length))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            bytes,
          }),
        )
      })
      .on('error', reject)
  })
}
