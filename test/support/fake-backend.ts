/**
 * A small backend for the mini-program's unit tests: real HTTP on 127.0.0.1, the contract of
 * docs/api.md in its simplest form, and a hook per route to script delays, failures and odd answers.
 * (The end-to-end suite runs the real reference server instead.)
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: unknown
  /** The bearer token the request carried, if any. */
  token: string | null
}

export type Reply =
  | { status: number; body?: unknown; delayMs?: number }
  /** Cut the connection without an answer: the client sees a network failure. */
  | { drop: true; delayMs?: number }

export type Handler = (req: Received, backend: FakeBackend) => Reply | Promise<Reply>

export const USER = { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null }

export class FakeBackend {
  url = ''
  readonly received: Received[] = []
  /** The most requests the backend was answering at the same time. */
  maxInFlight = 0
  private inFlight = 0
  /** Tokens the backend accepts; tests revoke one to play an expiry. */
  readonly tokens = new Set<string>()
  private readonly handlers = new Map<string, Handler>()
  private readonly open = new Set<string>()
  private readonly server = http.createServer((req, res) => this.handle(req, res))
  private issued = 0

  constructor() {
    this.reset()
  }

  /** Back to the plain contract: logins issue tokens, authenticated routes check them. */
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
    this.on('POST /api/auth/phone', () => ({
      status: 200,
      body: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' },
    }))
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

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
  }

  stop(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    res.on('close', () => this.inFlight--)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const auth = req.headers.authorization
    const received: Received = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      headers: req.headers,
      body: parseBody(text, req.headers['content-type']),
      token: auth && auth.startsWith('Bearer ') ? auth.slice(7) : null,
    }
    this.received.push(received)
    const route = `${received.method} ${received.path}`
    const handler = this.handlers.get(route)
    const needsToken = !this.open.has(route)
    const reply: Reply = !handler
      ? { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } }
      : needsToken && (received.token === null || !this.tokens.has(received.token))
        ? { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad token' } } }
        : await handler(received, this)
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs))
    if ('drop' in reply) {
      req.socket.destroy()
      return
    }
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body)
    res.writeHead(reply.status, body ? { 'content-type': 'application/json' } : {})
    res.end(body)
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType && contentType.startsWith('application/json') && text) return JSON.parse(text)
  return text
}

/** A backend for the whole test file, back to the plain contract before each test. */
export function useFakeBackend(): FakeBackend {
  const backend = new FakeBackend()
  beforeAll(() => backend.start())
  afterAll(() => backend.stop())
  beforeEach(() => backend.reset())
  return backend
}

/** The contract's error answer. */
export function error(status: number, code: string): Reply {
  return { status, body: { error: { code, message: code } } }
}
