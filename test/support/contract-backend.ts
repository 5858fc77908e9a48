/**
 * The backend of docs/api.md in its simplest form, for the mini-program's tests: logins issue
 * tokens, authenticated routes check them, and a hook per route scripts delays, failures and odd
 * answers. Transport-free: fake-backend.ts serves it over HTTP on 127.0.0.1 (page tests),
 * fake-platform.ts in memory on a virtual clock (auth tests). The e2e suite runs the real server.
 */
export interface Received {
  method: string
  path: string
  /** Header names in lower case, as a server reads them. */
  headers: Record<string, string | undefined>
  body: unknown
  /** The bearer token the request carried, if any. */
  token: string | null
  /** When it arrived, on the backend's clock. */
  at: number
}

export type Reply =
  | { status: number; body?: unknown; delayMs?: number }
  /** Cut the connection without an answer: the client sees a network failure. */
  | { drop: true; delayMs?: number }

/** A handler may return a promise, to answer when the test says so. */
export type Handler = (req: Received, backend: ContractBackend) => Reply | Promise<Reply>

export const USER = { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null }

export const PHONE = {
  phoneNumber: '13800138000',
  purePhoneNumber: '13800138000',
  countryCode: '86',
}

/** Local times (each test's own timezone), so a page shows them as written here. */
const at = (day: number, hour: number, minute: number) =>
  new Date(2026, 0, day, hour, minute).toISOString()

/** GET /api/me/export of USER with a number bound, signed in on two devices. */
export const EXPORT = {
  user: { ...USER, phoneNumber: '13800138000' },
  unionid: 'oUnion_1',
  createdAt: at(1, 9, 30),
  lastLoginAt: at(2, 8, 5),
  sessions: { open: 2, since: at(1, 9, 30) },
  exportedAt: at(2, 10, 0),
}

/** The contract's error answer. */
export function error(status: number, code: string): Reply {
  return { status, body: { error: { code, message: code } } }
}

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export class ContractBackend {
  readonly received: Received[] = []
  /** Tokens the backend accepts; tests revoke one to play an expiry. */
  readonly tokens = new Set<string>()
  /** The most requests the backend was answering at the same time. */
  maxInFlight = 0
  private inFlight = 0
  private issued = 0
  private readonly handlers = new Map<string, Handler>()
  private readonly open = new Set<string>()

  constructor(private readonly clock: Clock) {
    this.reset()
  }

  /** Back to the plain contract. */
  reset(): void {
    this.received.length = 0
    this.maxInFlight = 0
    this.issued = 0
    this.tokens.clear()
    this.handlers.clear()
    this.open.clear()
    this.on('POST /api/auth/login', () => ({ status: 200, body: this.issue() }), { public: true })
    this.on('POST /api/auth/logout', () => ({ status: 204 }))
    this.on('GET /api/me', () => ({ status: 200, body: { user: USER } }))
    this.on('POST /api/auth/phone', () => ({ status: 200, body: PHONE }))
    this.on('DELETE /api/me/phone', () => ({ status: 200, body: { user: USER } }))
    this.on('GET /api/me/export', () => ({ status: 200, body: EXPORT }))
    // One user plays every login here: ending all of its sessions ends every token.
    this.on('POST /api/auth/logout-all', () => {
      this.tokens.clear()
      return { status: 204 }
    })
    this.on('DELETE /api/me', () => {
      this.tokens.clear()
      return { status: 204 }
    })
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

  /** Every request as 'METHOD /path token', for order assertions. */
  lines(): string[] {
    return this.received.map((r) => `${r.method} ${r.path} ${r.token}`)
  }

  /** One request as the transport received it: the reply, after its delay. */
  async answer(request: Pick<Received, 'method' | 'path' | 'headers' | 'body'>): Promise<Reply> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    try {
      const auth = request.headers.authorization
      const req: Received = {
        ...request,
        token: auth && auth.startsWith('Bearer ') ? auth.slice(7) : null,
        at: this.clock.now(),
      }
      this.received.push(req)
      const route = `${req.method} ${req.path}`
      const handler = this.handlers.get(route)
      const needsToken = !this.open.has(route)
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
