import { EMULATOR_PREFIX } from '../../src/app'
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server'
import type { Config } from '../../src/config/config'
import type { WechatEmulator } from '../../../emulator/emulator'
import type { User } from '../../src/sessions/user'
import { checkAnswer } from './contract'
import { controlClient, type ControlClient } from '../../../emulator'

export interface Reply<T> {
  status: number
  headers: Headers
  text: string
  body: T
}

export interface CallOptions {
  token?: string
  json?: unknown
  body?: RequestInit['body']
  headers?: Record<string, string>
}

export interface LoginAnswer {
  token: string
  expiresIn: number
  user: User
}

export interface ErrorAnswer {
  error: { code: string; message: string }
}

export interface TestServer {
  url: string
  /** With config.metrics.port: where the metrics are served. */
  metricsUrl: string | null
  emulator: WechatEmulator
  /** Every log line the server wrote. */
  logs: string[]
  /** Every response body a call() saw; each was checked against docs/openapi.yaml. */
  bodies: string[]
  /** The server's and the emulator's clock, in ms; frozen unless advanced. */
  advance(ms: number): void
  now(): number
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>
  /** The built-in emulator's control API. */
  control: ControlClient
  /** A new emulated user (or the given one) logged in: its token and openid. */
  login(openid?: string): Promise<{ token: string; openid: string; user: User }>
  close(): Promise<void>
}

export interface TestServerOptions extends Omit<StartServerOptions, 'config' | 'now' | 'log'> {
  config?: Partial<Config>
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let time = Date.UTC(2026, 0, 1)
  const logs: string[] = []
  const bodies: string[] = []
  const server: RunningServer = await startServer({
    // Retries and timeouts short enough that a run with faults stays fast.
    wechatHttp: { timeoutMs: 500, retryDelaysMs: [5, 5] },
    ...options,
    config: { rateLimitPerMin: 0, ...options.config },
    now: () => time,
    log: { stream: { write: (line: string) => logs.push(line) } },
  })
  const emulator = server.emulator
  if (!emulator) throw new Error('the harness runs against the built-in emulator')

  const call = async <T>(method: string, path: string, callOptions: CallOptions = {}) => {
    const headers: Record<string, string> = { ...callOptions.headers }
    if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`
    let body = callOptions.body
    if (callOptions.json !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = JSON.stringify(callOptions.json)
    }
    const response = await fetch(server.url + path, { method, headers, body })
    const text = await response.text()
    bodies.push(text)
    // The emulator speaks WeChat's API, not the contract.
    if (!path.startsWith(EMULATOR_PREFIX)) {
      const contentType = response.headers.get('content-type')
      checkAnswer(method, path, { status: response.status, contentType, text })
    }
    const isJson = response.headers.get('content-type')?.startsWith('application/json')
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: (isJson ? JSON.parse(text) : text) as T,
    }
  }

  const control = controlClient(server.wechatApiBase)

  return {
    url: server.url,
    metricsUrl: server.metricsUrl,
    emulator,
    logs,
    bodies,
    advance: (ms) => {
      time += ms
    },
    now: () => time,
    call,
    control,
    async login(openid) {
      const minted = await control.login(openid === undefined ? {} : { openid })
      const reply = await call<LoginAnswer>('POST', '/api/auth/login', {
        json: { code: minted.code },
      })
      if (reply.status !== 200) throw new Error(`login: ${reply.status} ${reply.text}`)
      return { token: reply.body.token, openid: minted.openid, user: reply.body.user }
    },
    close: () => server.close(),
  }
}
