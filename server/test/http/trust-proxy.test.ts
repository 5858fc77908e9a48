import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Config } from '../../src/config/config'
import type { User } from '../../src/sessions/user'
import { png } from '../../../common/images'
import { startTestServer, type TestServer } from '../support/test-server'

// Behind one reverse proxy that appends the address it sees to X-Forwarded-For, as nginx's
// $proxy_add_x_forwarded_for does, and sets X-Forwarded-Proto and -Host: a client can write
// whatever it likes to the left of that, and none of it may count.

interface Proxy {
  url: string
  close(): Promise<void>
}

/** What the server's README shows for nginx, in node:http. */
function startProxy(upstream: string): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((request, response) => {
    const before = request.headers['x-forwarded-for']
    const address = request.socket.remoteAddress ?? ''
    const forwarded = http.request(
      upstream + request.url,
      {
        method: request.method,
        agent,
        headers: {
          ...request.headers,
          'x-forwarded-for': before === undefined ? address : `${before}, ${address}`,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': request.headers.host,
        },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      },
    )
    request.pipe(forwarded)
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          agent.destroy()
          return new Promise((done) => server.close(() => done()))
        },
      })
    })
  })
}

/** A request from a given address of this machine (any of 127.0.0.0/8 is loopback on Linux). */
function request(
  url: string,
  options: { from: string; method?: string; headers?: Record<string, string>; json?: unknown },
): Promise<{ status: number; body: unknown }> {
  const payload = options.json === undefined ? undefined : JSON.stringify(options.json)
  const headers = { ...options.headers }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return new Promise((resolve, reject) => {
    const sent = http.request(
      url,
      { method: options.method ?? 'GET', headers, localAddress: options.from },
      (answer) => {
        let text = ''
        answer.on('data', (chunk: Buffer) => (text += chunk.toString()))
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: JSON.parse(text) }))
      },
    )
    sent.on('error', reject)
    sent.end(payload)
  })
}

const CLIENT = '127.0.0.2'
const OTHER_CLIENT = '127.0.0.3'

describe.each<[string, Config['trustProxy']]>([
  ['TRUST_PROXY=1 (one hop)', 1],
  ["TRUST_PROXY=127.0.0.1 (the proxy's address)", ['127.0.0.1']],
])('behind one proxy that appends to X-Forwarded-For, with %s', (_case, trustProxy) => {
  let h: TestServer
  let proxy: Proxy

  beforeEach(async () => {
    h = await startTestServer({ config: { rateLimitPerMin: 2, trustProxy } })
    proxy = await startProxy(h.url)
  })

  afterEach(async () => {
    await proxy.close()
    await h.close()
  })

  it('limits the real client, whatever X-Forwarded-For it sends', async () => {
    const login = (from: string, spoofed: string) =>
      request(`${proxy.url}/api/auth/login`, {
        from,
        method: 'POST',
        headers: { 'x-forwarded-for': spoofed },
        json: {},
      })
    expect((await login(CLIENT, '203.0.113.1')).status).toBe(400)
    expect((await login(CLIENT, '203.0.113.2')).status).toBe(400)
    // A third address of its choosing is still the same client, past its limit.
    expect(await login(CLIENT, '203.0.113.3')).toEqual({
      status: 429,
      body: { error: { code: 'RATE_LIMITED', message: expect.any(String) } },
    })
    expect((await login(OTHER_CLIENT, '203.0.113.3')).status).toBe(400)

    const remoteAddresses = h.logs
      .filter((line) => line.includes('"url":"/api/auth/login"'))
      .map((line) => (JSON.parse(line) as { req?: { remoteAddress: string } }).req?.remoteAddress)
      .filter((address) => address !== undefined)
    expect(new Set(remoteAddresses)).toEqual(new Set([CLIENT, OTHER_CLIENT]))
  })

  it('builds avatar URLs from the protocol and host the proxy was reached at', async () => {
    const { token } = await h.login()
    const form = new FormData()
    form.append('avatar', new Blob([new Uint8Array(png())]), 'a.png')
    expect((await h.call('POST', '/api/me/avatar', { token, body: form })).status).toBe(200)

    const me = await request(`${proxy.url}/api/me`, {
      from: CLIENT,
      headers: {
        authorization: `Bearer ${token}`,
        'x-forwarded-for': '203.0.113.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'evil.example',
      },
    })
    const { avatarUrl } = (me.body as { user: User }).user
    expect(avatarUrl).toMatch(new RegExp(`^https://${new URL(proxy.url).host}/avatars/`))
  })
})

it('ignores X-Forwarded-For from a client that is not a listed proxy', async () => {
  const h = await startTestServer({ config: { rateLimitPerMin: 1, trustProxy: ['127.0.0.1'] } })
  try {
    const login = (spoofed: string) =>
      request(`${h.url}/api/auth/login`, {
        from: CLIENT,
        method: 'POST',
        headers: { 'x-forwarded-for': spoofed },
        json: {},
      })
    expect((await login('203.0.113.1')).status).toBe(400)
    expect((await login('203.0.113.2')).status).toBe(429)
  } finally {
    await h.close()
  }
})
