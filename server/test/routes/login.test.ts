import { EMULATOR_APPID, EMULATOR_SECRET } from '../../../emulator'
import { startServer } from '../../src/server'
import {
  startTestServer,
  type ErrorAnswer,
  type TestServer,
  type LoginAnswer,
} from '../support/test-server'

let h: TestServer

beforeEach(async () => {
  h = await startTestServer()
})

afterEach(async () => {
  await h.close()
})

const calls = async (): Promise<Record<string, number>> =>
  (await h.call<{ calls: Record<string, number> }>('GET', '/__wechat/control/stats')).body.calls

async function loginWith(code: string) {
  return h.call<LoginAnswer & ErrorAnswer>('POST', '/api/auth/login', { json: { code } })
}

describe('POST /api/auth/login', () => {
  it('redeems the code once and issues an opaque token for the user', async () => {
    const { code } = await h.control.login()
    const reply = await loginWith(code)
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 7 * 24 * 3600,
      user: { id: expect.any(String), nickName: null, avatarUrl: null, phoneNumber: null },
    })
    expect((await calls()).jscode2session).toBe(1)
  })

  it('never answers the openid, unionid or session_key', async () => {
    const { code, openid } = await h.control.login({
      unionid: 'oUnion123',
    })
    const reply = await loginWith(code)
    expect(reply.text).not.toContain(openid)
    expect(reply.text).not.toContain('oUnion123')
    expect(reply.text).not.toContain(h.emulator.control.sessionKeyOf(openid))
    expect(reply.body.user.id).not.toBe(openid)
  })

  it('keeps one user per openid, and issues a new token at each login', async () => {
    const first = await h.login('oSameUser')
    const second = await h.login('oSameUser')
    expect(second.user.id).toBe(first.user.id)
    expect(second.token).not.toBe(first.token)
    for (const token of [first.token, second.token]) {
      expect((await h.call('GET', '/api/me', { token })).status).toBe(200)
    }
  })

  it.each([
    ['an unknown code', 40029],
    ['a used code', 40163],
  ])('maps %s to 400 WECHAT_CODE_INVALID without a retry', async (_case, errcode) => {
    const { code } = await h.control.login()
    if (errcode === 40163) expect((await loginWith(code)).status).toBe(200)
    const reply = await loginWith(errcode === 40029 ? 'never-minted' : code)
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('WECHAT_CODE_INVALID')
    expect(reply.body.error.message).toContain(String(errcode))
    expect((await calls()).jscode2session).toBe(errcode === 40029 ? 1 : 2)
  })

  it('refuses a code older than five minutes', async () => {
    const { code } = await h.control.login()
    h.advance(5 * 60_000 + 1000)
    const reply = await loginWith(code)
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('WECHAT_CODE_INVALID')
  })

  it.each([
    [40226, 403, 'WECHAT_RISK_BLOCKED'],
    [45011, 429, 'RATE_LIMITED'],
    [40125, 502, 'WECHAT_ERROR'],
  ])('maps errcode %i to %i %s, with one call to WeChat', async (errcode, status, code) => {
    await h.control.addFault({ api: 'jscode2session', errcode })
    const minted = await h.control.login()
    const reply = await loginWith(minted.code)
    expect(reply.status).toBe(status)
    expect(reply.body.error.code).toBe(code)
    expect((await calls()).jscode2session).toBe(1)
  })

  it('logs what WeChat said when it answers an errcode the server does not expect', async () => {
    await h.control.addFault({ api: 'jscode2session', errcode: 40013 })
    const minted = await h.control.login()
    expect((await loginWith(minted.code)).status).toBe(502)
    const line = h.logs.find((l) => l.includes('unexpected answer from WeChat'))
    expect(line).toBeDefined()
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      api: 'jscode2session',
      errcode: 40013,
      errmsg: 'invalid appid',
      // The emulator's rid, as WeChat's: what its support asks for.
      rid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
    })
    expect(line).not.toContain(EMULATOR_SECRET)
  })

  // A login code is single-use: once a request carrying it may have reached WeChat, a second
  // one could only hear 40163 for the code the first one spent. The client gets a new code.
  it('never sends a code again after -1 (busy): 503 WECHAT_UNAVAILABLE, one call', async () => {
    await h.control.addFault({ api: 'jscode2session', errcode: -1 })
    const minted = await h.control.login()
    const reply = await loginWith(minted.code)
    expect(reply.status).toBe(503)
    expect(reply.body.error.code).toBe('WECHAT_UNAVAILABLE')
    expect((await calls()).jscode2session).toBe(1)
  })

  it('never sends a code again after a timeout: 503 WECHAT_UNAVAILABLE, never WECHAT_CODE_INVALID; a new code logs in', async () => {
    await h.control.addFault({ api: 'jscode2session', latencyMs: 1000 })
    const minted = await h.control.login()
    const reply = await loginWith(minted.code)
    expect(reply.status).toBe(503)
    expect(reply.body.error).toEqual({
      code: 'WECHAT_UNAVAILABLE',
      message: expect.stringMatching(/may have spent the code: get a new one/),
    })
    expect((await calls()).jscode2session).toBe(1)
    const fresh = await h.control.login({ openid: minted.openid })
    expect((await loginWith(fresh.code)).status).toBe(200)
  })

  it('answers 503 when WeChat cannot be reached at all, after trying three times: a refused connection spent no code', async () => {
    const logs: string[] = []
    const unreachable = await startServer({
      config: {
        emulator: null,
        rateLimitPerMin: 0,
        wechat: { appid: EMULATOR_APPID, secret: EMULATOR_SECRET, apiBase: 'http://127.0.0.1:9' },
      },
      wechatHttp: { timeoutMs: 300, retryDelaysMs: [5, 5] },
      log: { stream: { write: (line: string) => logs.push(line) } },
    })
    try {
      const response = await fetch(`${unreachable.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'any' }),
      })
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ error: { code: 'WECHAT_UNAVAILABLE' } })
      const outage = logs.map((line) => JSON.parse(line)).find((line) => line.reason)
      expect(outage).toMatchObject({ api: 'jscode2session', reason: 'ECONNREFUSED', attempts: 3 })
    } finally {
      await unreachable.close()
    }
  })

  it('talks to an emulator elsewhere with real-WeChat configuration', async () => {
    const remote = async (secret: string) =>
      startServer({
        config: {
          emulator: null,
          wechat: { appid: EMULATOR_APPID, secret, apiBase: `${h.url}/__wechat` },
        },
        log: false,
      })
    const right = await remote(EMULATOR_SECRET)
    const wrong = await remote('not-the-secret')
    try {
      const post = async (url: string, code: string) =>
        fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        })
      const first = await h.control.login()
      expect((await post(right.url, first.code)).status).toBe(200)
      // A wrong secret is WeChat's 40125: a configuration error, not the user's fault.
      const second = await h.control.login()
      const refused = await post(wrong.url, second.code)
      expect(refused.status).toBe(502)
      expect(await refused.json()).toMatchObject({ error: { code: 'WECHAT_ERROR' } })
    } finally {
      await right.close()
      await wrong.close()
    }
  })

  it.each([
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['a code that is not a string', { code: 12345 }],
    ['a code over 128 characters', { code: 'x'.repeat(129) }],
    ['an unknown field', { code: 'abc', extra: true }],
    ['an array', [{ code: 'abc' }]],
  ])('refuses a body with %s as 400 INVALID_REQUEST, without calling WeChat', async (_c, json) => {
    const reply = await h.call<ErrorAnswer>('POST', '/api/auth/login', { json })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
    expect((await calls()).jscode2session).toBe(0)
  })
})

describe('tokens', () => {
  it('expire after TOKEN_TTL_S', async () => {
    const { token } = await h.login()
    h.advance(7 * 24 * 3600 * 1000 - 1000)
    expect((await h.call('GET', '/api/me', { token })).status).toBe(200)
    h.advance(1000)
    const reply = await h.call<ErrorAnswer>('GET', '/api/me', { token })
    expect(reply.status).toBe(401)
    expect(reply.body.error.code).toBe('UNAUTHORIZED')
  })

  it('stop working at logout, which answers 204 and takes an empty JSON body', async () => {
    const { token } = await h.login()
    const other = await h.login()
    const reply = await h.call('POST', '/api/auth/logout', {
      token,
      headers: { 'content-type': 'application/json' },
    })
    expect(reply.status).toBe(204)
    expect(reply.text).toBe('')
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401)
    expect((await h.call('POST', '/api/auth/logout', { token, json: {} })).status).toBe(401)
    expect((await h.call('GET', '/api/me', { token: other.token })).status).toBe(200)
  })

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
    ['an unknown token', { authorization: `Bearer ${'A'.repeat(43)}` }],
  ])('are required: %s is 401 UNAUTHORIZED', async (_case, headers) => {
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['PUT', '/api/me/profile'],
      ['POST', '/api/me/avatar'],
      ['POST', '/api/auth/phone'],
      ['POST', '/api/auth/userinfo'],
      ['POST', '/api/auth/logout'],
    ] as const) {
      const json = method === 'GET' ? undefined : {}
      const reply = await h.call<ErrorAnswer>(method, path, { headers, json })
      expect([path, reply.status, reply.body.error.code]).toEqual([path, 401, 'UNAUTHORIZED'])
    }
  })
})

describe('GET /healthz and GET /readyz', () => {
  it('answer ok', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const reply = await h.call('GET', path)
      expect([path, reply.status, reply.body]).toEqual([path, 200, { status: 'ok' }])
    }
  })
})
