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
import { createAuth, createConfig, type Auth, type AuthConfig } from '../../miniprogram/auth/index'
import { canIUseAt } from './base-library'
import { ContractBackend, USER } from './contract-backend'
import { VirtualClock } from './virtual-clock'

export { error, EXPORT, PHONE, USER, type Reply } from './contract-backend'

export const BASE_URL = 'https://api.example.test'

function lowerCase(header: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]))
}

export class FakePlatform implements Platform {
  readonly clock = new VirtualClock()
  /** The contract backend in memory, on the virtual clock (or a team's, which wraps it). */
  readonly backend: ContractBackend
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

  constructor(backend: (clock: VirtualClock) => ContractBackend = (c) => new ContractBackend(c)) {
    this.backend = backend(this.clock)
  }

  login(): Promise<string> {
    this.log.push('login')
    if (this.failLogins > 0) {
      this.failLogins--
      return Promise.reject(new AuthError('WX_LOGIN_FAILED', 'login:fail system error'))
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
    // wx.uploadFile hands over the body as text; the wx adapter parses it (platform.test.ts), so
    // this Platform answers parsed JSON, as for a request.
    return this.exchange({ ...exchange, method: 'POST' }, path, {
      [exchange.name]: exchange.filePath,
    })
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
  ): Promise<HttpAnswer> {
    const request = {
      method: exchange.method,
      path,
      headers: lowerCase(exchange.header),
      // What crosses the wire is JSON: the backend never shares an object with the client.
      body: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
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
      this.backend.answer(request).then((reply) =>
        settle(() => {
          if ('drop' in reply) {
            reject(new AuthError('NETWORK_ERROR', 'request:fail socket hang up'))
            return
          }
          const body = reply.body === undefined ? '' : JSON.parse(JSON.stringify(reply.body))
          resolve({ statusCode: reply.status, data: body })
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
