/**
 * The auth module's own tests run on this Platform (the seam of miniprogram/auth/platform.ts)
 * instead of a fake wx over loopback HTTP: a virtual clock, storage in a Map, wx.login and
 * wx.checkSession as switches, and an in-memory backend that answers per docs/api.md. Nothing
 * waits for real time, so every test runs the same on a loaded machine as on an idle one.
 * (The wx adapter itself is checked in platform.test.ts; the pages and e2e suites use real HTTP.)
 */
import { AuthError } from '../../miniprogram/auth/errors'
import type {
  HttpAnswer,
  HttpExchange,
  Platform,
  PrivacyApi,
  UploadExchange,
} from '../../miniprogram/auth/platform'
import { createConfig, type AuthConfig } from '../../miniprogram/config'
import { createAuth, type Auth } from '../../miniprogram/auth/index'
import { canIUseAt } from './base-library'
import { VirtualClock } from './virtual-clock'

export const BASE_URL = 'https://api.example.test'

export const USER = { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null }

export const PHONE = {
  phoneNumber: '13800138000',
  purePhoneNumber: '13800138000',
  countryCode: '86',
}

export interface Received {
  method: string
  path: string
  /** Header names in lower case, as a server reads them. */
  header: Record<string, string>
  body: unknown
  /** The bearer token the request carried, if any. */
  token: string | null
  /** Virtual time of arrival. */
  at: number
}

export type Reply =
  | { status: number; body?: unknown; delayMs?: number }
  /** The connection is cut without an answer: the client sees a network failure. */
  | { drop: true; delayMs?: number }

/** A promise lets the test answer later, step by step. */
export type Handler = (req: Received, backend: MemoryBackend) => Reply | Promise<Reply>

/** The contract's error answer. */
export function error(status: number, code: string): Reply {
  return { status, body: { error: { code, message: code } } }
}

/** The backend of docs/api.md in its simplest form, in memory, with a hook per route. */
export class MemoryBackend {
  readonly received: Received[] = []
  /** Tokens the backend accepts; a test revokes one to play an expiry. */
  readonly tokens = new Set<string>()
  /** The most requests the backend was answering at the same time. */
  maxInFlight = 0
  private inFlight = 0
  private issued = 0
  private readonly handlers = new Map<string, Handler>()
  private readonly open = new Set<string>()

  constructor(private readonly clock: VirtualClock) {
    this.on('POST /api/auth/login', () => ({ status: 200, body: this.issue() }), { public: true })
    this.on('POST /api/auth/logout', () => ({ status: 204 }))
    this.on('GET /api/me', () => ({ status: 200, body: { user: USER } }))
    this.on('POST /api/auth/phone', () => ({ status: 200, body: PHONE }))
  }

  /** Replace the handler of 'METHOD /path'. A public route takes no token; the login is one. */
  on(route: string, handler: Handler, options: { public?: boolean } = {}): void {
    this.handlers.set(route, handler)
    if (options.public) this.open.add(route)
  }

  /** A login answer with a fresh token the backend accepts. */
  issue(expiresIn = 3600): { token: string; expiresIn: number; user: typeof USER } {
    const token = `token-${++this.issued}`
    this.tokens.add(token)
    return { token, expiresIn, user: USER }
  }

  count(route: string): number {
    return this.received.filter((r) => `${r.method} ${r.path}` === route).length
  }

  /** The requests of one route, as 'METHOD /path token' lines, for order assertions. */
  lines(): string[] {
    return this.received.map((r) => `${r.method} ${r.path} ${r.token}`)
  }

  async answer(req: Received): Promise<Reply> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    this.received.push(req)
    const route = `${req.method} ${req.path}`
    const handler = this.handlers.get(route)
    const needsToken = !this.open.has(route)
    try {
      const reply: Reply = !handler
        ? error(404, 'NOT_FOUND')
        : needsToken && (req.token === null || !this.tokens.has(req.token))
          ? error(401, 'UNAUTHORIZED')
          : await handler(req, this)
      if (reply.delayMs) await this.clock.sleep(reply.delayMs)
      return reply
    } finally {
      this.inFlight--
    }
  }
}

function lowerCase(header: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]))
}

export class FakePlatform implements Platform {
  readonly clock = new VirtualClock()
  readonly backend = new MemoryBackend(this.clock)
  readonly storage = new Map<string, unknown>()
  /** Every platform call in order: 'login', 'checkSession', 'POST /api/auth/phone', … */
  readonly log: string[] = []
  /** What wx.checkSession answers: does WeChat still hold the key of the last login? */
  sessionValid = true
  /** The next `failLogins` calls of wx.login fail. */
  failLogins = 0
  /** wx.setStorageSync throws, as it does once the mini-program's 10 MB are used up. */
  storageFull = false
  version = '3.7.9'
  privacy: PrivacyApi | null = null
  private codes = 0

  login(): Promise<string> {
    this.log.push('login')
    if (this.failLogins > 0) {
      this.failLogins--
      return Promise.reject(new AuthError('WX_LOGIN_FAILED', 'login:fail network error'))
    }
    return Promise.resolve(`code-${++this.codes}`)
  }

  checkSession(): Promise<boolean> {
    this.log.push('checkSession')
    return Promise.resolve(this.sessionValid)
  }

  request(exchange: HttpExchange): Promise<HttpAnswer> {
    const path = this.pathOf(exchange.url)
    this.log.push(`${exchange.method} ${path}`)
    return this.exchange(exchange, path, exchange.data)
  }

  uploadFile(exchange: UploadExchange): Promise<HttpAnswer> {
    const path = this.pathOf(exchange.url)
    this.log.push(`UPLOAD ${path}`)
    return this.exchange(
      { ...exchange, method: 'POST' },
      path,
      { [exchange.name]: exchange.filePath },
      // wx.uploadFile hands over the body as text, whatever its type.
      true,
    )
  }

  getStorage(key: string): unknown {
    return this.storage.has(key) ? this.storage.get(key) : ''
  }

  setStorage(key: string, value: unknown): void {
    if (this.storageFull) throw new Error('setStorageSync:fail exceed storage max size 10MB')
    // Storage holds a copy, as WeChat's does: later mutations of `value` are not seen.
    this.storage.set(key, JSON.parse(JSON.stringify(value)))
  }

  removeStorage(key: string): void {
    this.storage.delete(key)
  }

  sdkVersion(): string {
    return this.version
  }

  canIUse(schema: string): boolean {
    return canIUseAt(this.version, schema)
  }

  now(): number {
    return this.clock.now()
  }

  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms)
  }

  /** The middle of the jitter range, so backoff delays are exact. */
  random(): number {
    return 0.5
  }

  count(entry: string): number {
    return this.log.filter((e) => e === entry).length
  }

  /** Drives `work` to its end on the virtual clock (see VirtualClock.run). */
  run<T>(work: Promise<T>): Promise<T> {
    return this.clock.run(work)
  }

  /** Puts a session in storage, as a previous launch would have left it, `ttlMs` from expiry. */
  storeSession(token = 'token-0', ttlMs = 3600 * 1000): void {
    this.backend.tokens.add(token)
    this.storage.set('auth.session', { token, expiresAt: this.now() + ttlMs, user: USER })
  }

  private pathOf(url: string): string {
    if (!url.startsWith(BASE_URL)) throw new Error(`a request outside the backend: ${url}`)
    return url.slice(BASE_URL.length).split('?')[0]
  }

  private exchange(
    exchange: { method: string; header: Record<string, string>; timeoutMs: number },
    path: string,
    data: unknown,
    asText = false,
  ): Promise<HttpAnswer> {
    const header = lowerCase(exchange.header)
    const bearer = header.authorization
    const req: Received = {
      method: exchange.method,
      path,
      header,
      // What crosses the wire is JSON: the backend never shares an object with the client.
      body: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
      token: bearer && bearer.startsWith('Bearer ') ? bearer.slice(7) : null,
      at: this.now(),
    }
    return new Promise((resolve, reject) => {
      let settled = false
      const cancelTimeout = this.clock.schedule(exchange.timeoutMs, () =>
        settle(() => reject(new AuthError('TIMEOUT', 'request:fail timeout'))),
      )
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        cancelTimeout()
        fn()
      }
      this.backend.answer(req).then((reply) =>
        settle(() => {
          if ('drop' in reply) {
            reject(new AuthError('NETWORK_ERROR', 'request:fail socket hang up'))
            return
          }
          const body = reply.body === undefined ? '' : JSON.parse(JSON.stringify(reply.body))
          resolve({
            statusCode: reply.status,
            data: asText && typeof body !== 'string' ? JSON.stringify(body) : body,
          })
        }),
      )
    })
  }
}

/** A fresh auth module on `platform`, without app.ts: for the module's own behaviour. */
export function authOn(platform: FakePlatform, config: Partial<AuthConfig> = {}): Auth {
  return createAuth(createConfig({ baseUrl: BASE_URL, ...config }), platform)
}

/**
 * For the suites that run on a FakePlatform: a real timer started during a test (a sleep, a
 * poll, a wx stub answering later) fails it, so time can only come from the virtual clock.
 */
export function forbidRealTimers(): void {
  const spies: jest.SpyInstance[] = []
  beforeEach(() => {
    for (const name of ['setTimeout', 'setInterval'] as const) {
      spies.push(
        jest.spyOn(globalThis, name).mockImplementation(() => {
          throw new Error(`a real ${name} in a test on the virtual clock`)
        }),
      )
    }
  })
  afterEach(() => spies.splice(0).forEach((spy) => spy.mockRestore()))
}
