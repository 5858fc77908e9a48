/**
 * The reference server as a user's phone meets it: its own process (`tsx server/src/main.ts`),
 * on a free port of 127.0.0.1, with the built-in WeChat emulator in strict mode and a temporary
 * DATA_DIR. It can be stopped and started again on the same port and data, like a redeploy.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs')
const LISTENING = /^listening on (http:\/\/\S+)/m

export class ServerProcess {
  url = ''
  /** Every line the server printed, stdout and stderr, across restarts. */
  readonly output: string[] = []
  private child: ChildProcess | null = null
  private port = 0
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-e2e-'))

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [TSX, 'server/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        EMULATOR_MODE: 'strict',
        // One address plays every user here; the limiter has its own tests.
        RATE_LIMIT_PER_MIN: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    this.url = await new Promise<string>((resolve, reject) => {
      let seen = ''
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8')
        this.output.push(...text.split('\n').filter(Boolean))
        seen += text
        const match = LISTENING.exec(seen)
        if (match) resolve(match[1])
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${seen}`)))
    })
    this.port = Number(new URL(this.url).port)
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

  /** A JSON call, for the emulator's control API and for checking what the server stored. */
  async call<T>(method: string, urlPath: string, body?: unknown, token?: string): Promise<T> {
    const { status, data } = await httpJson(method, this.url + urlPath, body, token)
    if (status >= 400) throw new Error(`${method} ${urlPath} → ${status} ${JSON.stringify(data)}`)
    return data as T
  }
}

export function httpJson(
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
