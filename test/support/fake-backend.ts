/**
 * The contract backend (contract-backend.ts) over real HTTP on 127.0.0.1, for the page tests: the
 * fake wx's wx.request and wx.uploadFile reach it as they would reach a server.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { ContractBackend } from './contract-backend'

export { error, EXPORT, USER } from './contract-backend'

export class FakeBackend extends ContractBackend {
  url = ''
  private readonly server = http.createServer((req, res) => this.handle(req, res))

  constructor() {
    super({
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    })
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
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const headers: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    const reply = await this.answer({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      headers,
      body: parseBody(text, req.headers['content-type']),
    })
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
