import { connect } from 'node:net'
import { checkRawAnswer } from '../support/contract'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'
import { drippedRequests, dripUntilCut, exchange, SHORT_TIMEOUTS } from '../support/raw-http'

// What any client gets for bad input: a 4xx in the one JSON error shape, never a 500.

const ERROR_SHAPE = {
  error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) },
}
// The emulator's control API speaks WeChat, as everything under /__wechat does.
const WECHAT_SHAPE = { errcode: expect.any(Number), errmsg: expect.any(String) }

describe('bad input', () => {
  let h: TestServer
  let token: string

  beforeAll(async () => {
    h = await startTestServer()
    token = (await h.login()).token
  })

  afterAll(async () => {
    await h.close()
  })

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const reply = await h.call<ErrorAnswer>('GET', '/api/nope?x=1')
    expect(reply.status).toBe(404)
    expect(reply.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/nope' } })
  })

  it('answers a JSON body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const reply = await h.call<ErrorAnswer>('POST', '/api/auth/login', {
      json: { code: 'x'.repeat(17 * 1024) },
    })
    expect(reply.status).toBe(413)
    expect(reply.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('reads a refused 2 MiB body to its end: the 413 arrives and the connection serves the next request', async () => {
    const { hostname, port } = new URL(h.url)
    const body = JSON.stringify({ code: 'a'.repeat(2 * 1024 * 1024) })
    const text = await new Promise<string>((resolve, reject) => {
      let received = ''
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
            'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        )
      })
      socket.on('data', (chunk) => (received += chunk.toString()))
      socket.on('error', reject)
      socket.on('close', () => resolve(received))
    })
    const statusLines = text.match(/HTTP\/1\.1 \d{3} [^\r]*/g)
    expect(statusLines).toEqual(['HTTP/1.1 413 Payload Too Large', 'HTTP/1.1 200 OK'])
    expect(text).toContain('"code":"PAYLOAD_TOO_LARGE"')
  })

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers a %s body with 415 UNSUPPORTED_MEDIA_TYPE',
    async (type) => {
      const reply = await h.call<ErrorAnswer>('POST', '/api/auth/login', {
        body: 'code=abc',
        headers: { 'content-type': type },
      })
      expect(reply.status).toBe(415)
      expect(reply.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    },
  )

  it.each([
    ['invalid JSON', '{"code":'],
    ['an empty body', ''],
    ['JSON null', 'null'],
    ['a JSON string', '"abc"'],
    ['prototype poisoning', '{"code":"abc","__proto__":{"admin":true}}'],
  ])('answers %s with 400 INVALID_REQUEST', async (_case, body) => {
    const reply = await h.call<ErrorAnswer>('POST', '/api/auth/login', {
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })

  it('answers a body that is not UTF-8 with 400 INVALID_REQUEST, rather than storing U+FFFD', async () => {
    // {"nickName":"a\xffb"}: a byte no UTF-8 text holds, and a nickname the rule would take as
    // "a\ufffdb" once it had been decoded leniently.
    const body = Buffer.concat([
      Buffer.from('{"nickName":"a'),
      Buffer.from([0xff]),
      Buffer.from('b"}'),
    ])
    const reply = await h.call<ErrorAnswer>('PUT', '/api/me/profile', {
      token,
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'the body is not valid UTF-8' },
    })
    const me = await h.call<{ user: { nickName: string | null } }>('GET', '/api/me', { token })
    expect(me.body.user.nickName).toBeNull()
  })

  it('does not quote the body back in the message', async () => {
    const reply = await h.call<ErrorAnswer>('POST', '/api/auth/login', {
      body: '{"code": secret-looking-thing',
      headers: { 'content-type': 'application/json' },
    })
    expect(reply.text).not.toContain('secret-looking-thing')
  })

  it('never answers 500 to anything a client can send', async () => {
    const bodies: unknown[] = [
      {},
      [],
      0,
      true,
      'x',
      { code: null },
      { code: { nested: 'object' } },
      { code: ['a'] },
      { code: '\u0000' },
      { code: '😀'.repeat(64) },
      { encryptedData: '', iv: '' },
      { encryptedData: 'A'.repeat(8192), iv: 'A'.repeat(64) },
      { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' },
      { encryptedData: '====', iv: '====', rawData: '', signature: '' },
      { nickName: '\ud800' },
      { nickName: 'x'.repeat(10_000) },
      { constructor: { prototype: { polluted: true } } },
    ]
    const routes = [
      ['POST', '/api/auth/login'],
      ['POST', '/api/auth/phone'],
      ['POST', '/api/auth/userinfo'],
      ['PUT', '/api/me/profile'],
      ['POST', '/api/me/avatar'],
      ['POST', '/__wechat/control/login'],
      ['POST', '/__wechat/control/phone'],
      ['POST', '/__wechat/control/faults'],
    ]
    for (const [method = 'POST', path = '/'] of routes) {
      const shape = path.startsWith('/__wechat/') ? WECHAT_SHAPE : ERROR_SHAPE
      for (const json of bodies) {
        const reply = await h.call(method, path, { token, json })
        if (reply.status >= 400) expect([path, reply.body]).toEqual([path, shape])
        expect([path, json, reply.status < 500]).toEqual([path, json, true])
      }
    }
    expect(h.logs.filter((line) => line.includes('"level":50'))).toEqual([])
    expect((await h.call('GET', '/healthz')).status).toBe(200)
  })

  it.each([
    ['a path that is not valid percent-encoding', '/api/%E0%A4%A', 400, 'INVALID_REQUEST'],
    [
      'an avatar name over the router’s length limit',
      `/avatars/${'a'.repeat(200)}.png`,
      404,
      'NOT_FOUND',
    ],
  ])('answers %s in the one error shape', async (_case, path, status, code) => {
    const reply = await h.call<ErrorAnswer>('GET', path)
    expect(reply.status).toBe(status)
    expect(reply.body).toEqual({ error: { code, message: expect.any(String) } })
  })

  it.each([
    [
      'headers over the size limit',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['a control character in a header', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: \u0001\r\n\r\n'],
  ])(
    'answers %s, which Node refuses before Fastify, in the one error shape',
    async (_case, raw) => {
      const answer = await exchange(h.url, (socket) => socket.write(raw, 'latin1'))
      checkRawAnswer('GET', '/healthz', answer)
      expect(answer.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
      expect(answer.head).toMatch(/\r\ncontent-type: application\/json/i)
      expect(JSON.parse(answer.body)).toEqual({
        error: { code: 'INVALID_REQUEST', message: expect.any(String) },
      })
      expect((await h.call('GET', '/healthz')).status).toBe(200)
    },
  )

  it('answers an HTTP/1.1 request without a Host header with 400 in the one error shape', async () => {
    const answer = await exchange(h.url, (socket) =>
      socket.write('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'),
    )
    checkRawAnswer('GET', '/healthz', answer)
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'INVALID_REQUEST', message: 'the request has no Host header' },
    })
  })

  it.each([
    ['/api/auth/login', 'POST', 'EXPECTATION_FAILED', 'error'],
    ['/__wechat/sns/jscode2session', 'GET', 47001, 'errcode'],
  ])(
    'answers an Expect it cannot meet on %s with 417 in the shape of that path',
    async (path, method, code, field) => {
      const answer = await exchange(h.url, (socket) =>
        socket.write(
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n`,
        ),
      )
      expect(answer.head).toMatch(/^HTTP\/1\.1 (417|200) /)
      const body = JSON.parse(answer.body) as Record<string, { code?: string } | number>
      if (field === 'error') {
        checkRawAnswer(method, path, answer)
        expect(answer.head).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/)
        expect(body).toEqual({ error: { code, message: expect.stringContaining('Expect') } })
      } else {
        // WeChat's paths answer every error with HTTP 200 and an errcode.
        expect(body).toEqual({ errcode: code, errmsg: expect.any(String) })
      }
    },
  )

  it('serves an HTTP/1.0 request without a Host header, as HTTP/1.0 allows', async () => {
    const answer = await exchange(h.url, (socket) => socket.write('GET /healthz HTTP/1.0\r\n\r\n'))
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
  })
})

describe('a client that sends its request too slowly', () => {
  let h: TestServer

  beforeAll(async () => {
    h = await startTestServer({ requestTimeouts: SHORT_TIMEOUTS })
  })

  afterAll(async () => {
    await h.close()
  })

  it.each(drippedRequests('/api/auth/login'))(
    'is cut off while it drips %s, with 408 in the one error shape',
    async (_part, start, drip) => {
      const answer = await dripUntilCut(h.url, start, drip)
      checkRawAnswer('POST', '/api/auth/login', answer)
      expect(answer.dripped).toBeGreaterThan(0)
      expect(answer.head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
      expect(JSON.parse(answer.body)).toEqual({
        error: { code: 'REQUEST_TIMEOUT', message: expect.any(String) },
      })
      expect(h.logs.filter((line) => line.includes('"level":50'))).toEqual([])
      expect((await h.call('GET', '/healthz')).status).toBe(200)
    },
  )
})

describe('the rate limit on /api/auth/*', () => {
  it('allows RATE_LIMIT_PER_MIN requests a minute per address, then answers 429', async () => {
    const h = await startTestServer({ config: { rateLimitPerMin: 3 } })
    try {
      const statuses: number[] = []
      for (const path of ['login', 'phone', 'userinfo', 'logout']) {
        statuses.push((await h.call('POST', `/api/auth/${path}`, { json: {} })).status)
      }
      expect(statuses).toEqual([400, 401, 401, 429])
      const limited = await h.call<ErrorAnswer>('POST', '/api/auth/login', { json: {} })
      expect(limited.body.error.code).toBe('RATE_LIMITED')
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
      // Other routes are not limited.
      expect((await h.call('GET', '/healthz')).status).toBe(200)
      expect((await h.call('GET', '/api/me')).status).toBe(401)
      // Nor is X-Forwarded-For believed without TRUST_PROXY.
      const spoofed = await h.call('POST', '/api/auth/login', {
        json: {},
        headers: { 'x-forwarded-for': '203.0.113.9' },
      })
      expect(spoofed.status).toBe(429)
    } finally {
      await h.close()
    }
  })

  it('counts per X-Forwarded-For address with TRUST_PROXY', async () => {
    const h = await startTestServer({ config: { rateLimitPerMin: 1, trustProxy: 1 } })
    try {
      const from = (address: string) =>
        h.call('POST', '/api/auth/login', { json: {}, headers: { 'x-forwarded-for': address } })
      expect((await from('203.0.113.1')).status).toBe(400)
      expect((await from('203.0.113.1')).status).toBe(429)
      expect((await from('203.0.113.2')).status).toBe(400)
    } finally {
      await h.close()
    }
  })

  it('is off with RATE_LIMIT_PER_MIN=0', async () => {
    const h = await startTestServer({ config: { rateLimitPerMin: 0 } })
    try {
      for (let i = 0; i < 100; i++) {
        expect((await h.call('POST', '/api/auth/login', { json: {} })).status).toBe(400)
      }
    } finally {
      await h.close()
    }
  })
})
