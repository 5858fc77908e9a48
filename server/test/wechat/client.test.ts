import { EMULATOR_APPID } from '../../../emulator'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startServer, type RunningServer } from '../../src/server'
import { createTransport, TransportError } from '../../src/wechat/transport'
import { ENGINES, type FreshStore } from '../support/engines'
import { describeWhenAvailable } from '../../../test/support/needs'

// The HTTP side of the WeChat client, against a WeChat that misbehaves in ways the emulator
// never does: a huge answer, an answer that stalls halfway, connections to count.

const SECRET = 'a-secret-that-must-stay-out-of-logs'

interface Upstream {
  url: string
  requests: number
  /** Each request's path, without its query (which holds the secret and the code). */
  paths: string[]
  authorizations: string[]
  connections: number
  close(): Promise<void>
}

type Answerer = (response: http.ServerResponse, path: string) => void

/** A stand-in for api.weixin.qq.com: `answer` writes each response. */
function startUpstream(answer: Answerer): Promise<Upstream> {
  const server = http.createServer((request, response) => {
    upstream.requests++
    const path = (request.url ?? '').split('?')[0] ?? ''
    upstream.paths.push(path)
    if (request.headers.authorization) upstream.authorizations.push(request.headers.authorization)
    request.resume()
    answer(response, path)
  })
  server.on('connection', () => upstream.connections++)
  const upstream: Upstream = {
    url: '',
    requests: 0,
    paths: [],
    authorizations: [],
    connections: 0,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve(upstream)
    })
  })
}

const session = (response: http.ServerResponse) =>
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ openid: 'oKeepAlive', session_key: 'c2Vzc2lvbktleTEyMzQ1Ng==' }))

describe('the WeChat client', () => {
  let upstream: Upstream | null = null
  let server: RunningServer | null = null
  const logs: string[] = []

  async function serverFor(answer: Answerer, credentials?: string) {
    upstream = await startUpstream(answer)
    const apiBase = credentials
      ? upstream.url.replace('http://', `http://${credentials}@`)
      : upstream.url
    server = await startServer({
      config: {
        emulator: null,
        rateLimitPerMin: 0,
        wechat: { appid: EMULATOR_APPID, secret: SECRET, apiBase },
      },
      wechatHttp: { timeoutMs: 300, retryDelaysMs: [5, 5] },
      log: { stream: { write: (line: string) => logs.push(line) } },
    })
    return server
  }

  const login = async (url: string) => {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'the-code' }),
    })
    return { status: response.status, body: (await response.json()) as unknown }
  }

  afterEach(async () => {
    await server?.close()
    await upstream?.close()
    server = null
    upstream = null
    logs.length = 0
  })

  it('keeps one connection to WeChat alive across calls', async () => {
    const { url } = await serverFor(session)
    for (let i = 0; i < 5; i++) expect((await login(url)).status).toBe(200)
    expect({ requests: upstream?.requests, connections: upstream?.connections }).toEqual({
      requests: 5,
      connections: 1,
    })
  })

  it('refuses an answer larger than WeChat ever sends, without a retry', async () => {
    const { url } = await serverFor((response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ openid: 'o'.repeat(100_000), session_key: 'x' })),
    )
    expect(await login(url)).toEqual({
      status: 502,
      body: { error: { code: 'WECHAT_BAD_ANSWER', message: expect.any(String) } },
    })
    expect(upstream?.requests).toBe(1)
    const line = logs.find((l) => l.includes('WeChat answered what WeChat never answers'))
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      api: 'jscode2session',
      detail: 'the answer is over 65536 bytes',
    })
  })

  it('never sends a login code twice: an answer that stalls is 503 after one attempt', async () => {
    const { url } = await serverFor((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      response.write('{"openid":')
    })
    expect(await login(url)).toEqual({
      status: 503,
      body: { error: { code: 'WECHAT_UNAVAILABLE', message: expect.any(String) } },
    })
    expect(upstream?.requests).toBe(1)
    const line = logs.find((l) => l.includes('WeChat cannot be reached'))
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      api: 'jscode2session',
      reason: 'no answer within 300 ms',
      attempts: 1,
    })
    expect(logs.join('\n')).not.toContain(SECRET)
    expect(logs.join('\n')).not.toContain('the-code')
  })

  it('tries stable_token, which carries no code, three times, each within its timeout', async () => {
    const { url } = await serverFor((response, path) => {
      if (path.startsWith('/sns/jscode2session')) session(response)
      else {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
        response.write('{"access_token":')
      }
    })
    const { body } = await login(url)
    const { token } = body as { token: string }
    const reply = await fetch(`${url}/api/auth/phone`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ code: 'a-phone-code' }),
    })
    expect(reply.status).toBe(503)
    expect(upstream?.paths.filter((path) => path === '/cgi-bin/stable_token')).toHaveLength(3)
    expect(upstream?.paths.some((path) => path.startsWith('/wxa/'))).toBe(false)
  })

  it('logs an outage of WeChat once when it starts and once when it ends, not per request', async () => {
    let down = true
    const { url } = await serverFor((response) => {
      if (down) response.destroy()
      else session(response)
    })
    for (let i = 0; i < 5; i++) expect((await login(url)).status).toBe(503)
    down = false
    for (let i = 0; i < 3; i++) expect((await login(url)).status).toBe(200)
    const messages = logs.map((line) => (JSON.parse(line) as { msg: string }).msg)
    expect(messages.filter((msg) => /^WeChat cannot be reached/.test(msg))).toHaveLength(1)
    expect(messages.filter((msg) => msg === 'WeChat answers again')).toHaveLength(1)
  })

  it("logs WeChat's rid with an unexpected errcode, and nothing of its errmsg that looks secret", async () => {
    const sessionKey = 'c2Vzc2lvbktleTEyMzQ1Ng=='
    const token = 'ACCESS_TOKEN_bM9x7QpLr2Vt8KdZ3nHsYw6uJfE1gA0cX5iO4'
    const { url } = await serverFor((response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          errcode: 40013,
          // A proxy in WeChat's place that echoes what it was sent.
          errmsg: `invalid appid: secret=${SECRET}&key=${sessionKey}&access_token=${token}, rid: 6621a3f0-1b2c3d4e-5f6a7b8c`,
        }),
      ),
    )
    expect((await login(url)).status).toBe(502)
    const line = logs.find((l) => l.includes('unexpected answer from WeChat')) ?? ''
    expect(JSON.parse(line)).toMatchObject({
      api: 'jscode2session',
      errcode: 40013,
      rid: '6621a3f0-1b2c3d4e-5f6a7b8c',
      errmsg: expect.stringMatching(/^invalid appid: secret=\[redacted\]/),
    })
    for (const secret of [SECRET, sessionKey, token, 'the-code']) expect(line).not.toContain(secret)
  })

  it('sends the credentials of WECHAT_API_BASE as Basic auth, and never prints them', async () => {
    const { url } = await serverFor(session, 'proxy-user:proxy-password')
    expect((await login(url)).status).toBe(200)
    expect(upstream?.authorizations).toEqual([
      `Basic ${Buffer.from('proxy-user:proxy-password').toString('base64')}`,
    ])
    expect(logs.join('\n')).not.toContain('proxy-password')
  })

  it('ends the calls in flight when it closes', async () => {
    let arrived = (): void => undefined
    const received = new Promise<void>((resolve) => (arrived = resolve))
    // A WeChat that takes the request and never answers.
    upstream = await startUpstream(() => arrived())
    const transport = createTransport(upstream.url)
    const call = transport.send('/sns/jscode2session', undefined, 60_000)
    // Once WeChat has the request, close: the call fails now, not after its minute.
    await received
    transport.close()
    await expect(call).rejects.toThrow(TransportError)
    await expect(call).rejects.not.toThrow('no answer within')
  })
})

// What WeChat answers goes no further than the client unless it looks like what WeChat sends: a
// NUL or a lone surrogate in an openid made PostgreSQL answer 500; a 50,000-digit number was
// stored as it came.
for (const engine of ENGINES) {
  describeWhenAvailable(`what WeChat answers, on ${engine.name}`, engine.missing, () => {
    const good = { openid: 'oEdgeUser000000000000000000a', session_key: 'c2Vzc2lvbktleTEyMzQ1Ng==' }
    const goodPhone = {
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
      countryCode: 86,
    }

    let store: FreshStore | null = null
    let upstream: Upstream | null = null
    let server: RunningServer | null = null
    let sessionAnswer: object = good
    let phoneAnswer: object = goodPhone

    beforeAll(async () => {
      store = await engine.fresh()
      upstream = await startUpstream((response, path) => {
        const json = (body: object) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
        if (path === '/sns/jscode2session') json(sessionAnswer)
        else if (path === '/cgi-bin/stable_token') json({ access_token: 'token', expires_in: 7200 })
        else json({ errcode: 0, errmsg: 'ok', phone_info: phoneAnswer })
      })
      server = await startServer({
        config: {
          ...store.config,
          emulator: null,
          rateLimitPerMin: 0,
          wechat: { appid: EMULATOR_APPID, secret: SECRET, apiBase: upstream.url },
        },
        log: false,
      })
    })

    afterAll(async () => {
      await server?.close()
      await upstream?.close()
      await store?.remove()
    })

    const post = async (path: string, json: unknown, token?: string) => {
      const response = await fetch(`${server?.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(json),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }

    it.each([
      ['an openid with a NUL', { ...good, openid: 'oEdge\u0000User' }],
      ['an openid with a lone surrogate', { ...good, openid: 'oEdge\ud800User' }],
      ['an openid of 65 characters', { ...good, openid: 'o'.repeat(65) }],
      ['an empty openid', { ...good, openid: '' }],
      ['a unionid with a NUL', { ...good, unionid: 'oUnion\u0000' }],
      ['a unionid with a space', { ...good, unionid: 'oUnion abc' }],
      ['a session_key that is not base64', { ...good, session_key: 'not a key' }],
      ['a session_key of 15 bytes', { ...good, session_key: Buffer.alloc(15).toString('base64') }],
    ])('refuses a login answer with %s: 502 WECHAT_BAD_ANSWER', async (_case, answer) => {
      sessionAnswer = answer
      const reply = await post('/api/auth/login', { code: 'a-code' })
      expect(reply).toEqual({
        status: 502,
        body: { error: { code: 'WECHAT_BAD_ANSWER', message: expect.any(String) } },
      })
    })

    it.each([
      ['a number of 50,000 digits', { ...goodPhone, phoneNumber: '1'.repeat(50_000) }],
      ['a number with a NUL', { ...goodPhone, phoneNumber: '139\u000012345678' }],
      ['a number with a lone surrogate', { ...goodPhone, purePhoneNumber: '139\udc0012345678' }],
      ['letters in purePhoneNumber', { ...goodPhone, purePhoneNumber: '139abc45678' }],
      ['a countryCode of letters', { ...goodPhone, countryCode: 'CN' }],
      ['a countryCode of 0', { ...goodPhone, countryCode: 0 }],
      ['no countryCode', { phoneNumber: '13912345678', purePhoneNumber: '13912345678' }],
    ])(
      'refuses a phone answer with %s: 502 WECHAT_BAD_ANSWER, nothing stored',
      async (_case, answer) => {
        sessionAnswer = good
        const { token } = (await post('/api/auth/login', { code: 'a-code' })).body as {
          token: string
        }
        phoneAnswer = answer
        const reply = await post('/api/auth/phone', { code: 'a-phone-code' }, token)
        expect(reply).toEqual({
          status: 502,
          body: { error: { code: 'WECHAT_BAD_ANSWER', message: expect.any(String) } },
        })
        const me = await fetch(`${server?.url}/api/me`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(
          ((await me.json()) as { user: { phoneNumber: unknown } }).user.phoneNumber,
        ).toBeNull()
      },
    )

    it('takes what WeChat does send: a unionid, a number outside China, countryCode as a string', async () => {
      sessionAnswer = { ...good, unionid: 'oUnion-abc_123' }
      const login = await post('/api/auth/login', { code: 'a-code' })
      expect(login.status).toBe(200)
      phoneAnswer = {
        phoneNumber: '+12025550123',
        purePhoneNumber: '2025550123',
        countryCode: '1',
      }
      const reply = await post(
        '/api/auth/phone',
        { code: 'a-phone-code' },
        login.body.token as string,
      )
      expect(reply.body).toEqual({
        phoneNumber: '+12025550123',
        purePhoneNumber: '2025550123',
        countryCode: '1',
      })
    })
  })
}
