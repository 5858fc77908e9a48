import { createConfig, type AuthConfig } from '../../miniprogram/config'
import { createAuth, isAuthError, type Auth } from '../../miniprogram/auth/index'
import { wxPlatform } from '../../miniprogram/auth/platform'
import { backoffDelay } from '../../miniprogram/auth/retry'
import { error, useFakeBackend } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import { FAST_RETRY } from '../support/harness'

const backend = useFakeBackend()
let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx()
})

function auth(config: Partial<AuthConfig> = {}): Auth {
  wx.install()
  return createAuth(
    createConfig({ baseUrl: backend.url, retry: FAST_RETRY, ...config }),
    wxPlatform(),
  )
}

/** Puts a session in storage, as a previous launch would have left it. */
function loggedIn(token = 'token-0'): void {
  backend.tokens.add(token)
  wx.storage.set('auth.session', {
    token,
    expiresAt: Date.now() + 3600 * 1000,
    user: { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null },
  })
}

describe('request<T>()', () => {
  it('attaches the token as Authorization: Bearer and returns the typed body', async () => {
    loggedIn()
    backend.on('GET /api/things', () => ({ status: 200, body: { n: 42 } }))
    const { n } = await auth().requester.request<{ n: number }>({ path: '/api/things' })
    expect(n).toBe(42)
    expect(backend.received[0].headers.authorization).toBe('Bearer token-0')
  })

  it('sends the token in the configured header, with or without a scheme', async () => {
    loggedIn()
    backend.on('GET /api/things', () => ({ status: 200, body: {} }), { public: true })
    await auth({ tokenHeader: 'X-Session', tokenScheme: '' }).requester.request({
      path: '/api/things',
    })
    expect(backend.received[0].headers['x-session']).toBe('token-0')
    expect(backend.received[0].headers.authorization).toBeUndefined()
  })

  it('sends no token and never logs in for a public route', async () => {
    backend.on('GET /api/public', () => ({ status: 200, body: { open: true } }), { public: true })
    await expect(auth().requester.request({ path: '/api/public', auth: false })).resolves.toEqual({
      open: true,
    })
    expect(backend.received[0].token).toBeNull()
    expect(wx.count('login')).toBe(0)
  })

  it('turns a non-2xx answer into an AuthError with the contract code and status', async () => {
    loggedIn()
    backend.on('PUT /api/me/profile', () => error(400, 'NICKNAME_INVALID'))
    const err = await auth()
      .requester.request({ path: '/api/me/profile', method: 'PUT', data: { nickName: '' } })
      .catch((e: unknown) => e)
    expect(isAuthError(err)).toBe(true)
    expect(err).toMatchObject({ code: 'NICKNAME_INVALID', status: 400 })
  })

  it('reports a non-2xx without the error shape as HTTP_ERROR', async () => {
    loggedIn()
    backend.on('GET /api/things', () => ({ status: 418, body: 'teapot' }))
    await expect(auth().requester.request({ path: '/api/things' })).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      status: 418,
    })
  })

  it('gives up after the per-call timeout with a TIMEOUT error', async () => {
    loggedIn()
    backend.on('POST /api/slow', () => ({ status: 200, body: {}, delayMs: 300 }))
    await expect(
      auth().requester.request({ path: '/api/slow', method: 'POST', timeoutMs: 50 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' })
  })
})

describe('at most 10 requests at once, as WeChat allows', () => {
  it('queues the rest, and every request still succeeds', async () => {
    loggedIn()
    backend.on('GET /api/things', () => ({ status: 200, body: { ok: true }, delayMs: 30 }))
    const a = auth()
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => a.requester.request({ path: '/api/things' })),
    )
    expect(answers).toHaveLength(25)
    expect(backend.maxInFlight).toBe(10)
  })

  it('a login that queued requests need is not stuck behind them', async () => {
    loggedIn('expired')
    backend.tokens.delete('expired')
    backend.on('GET /api/things', () => ({ status: 200, body: {}, delayMs: 10 }))
    const a = auth()
    await Promise.all(
      Array.from({ length: 25 }, () => a.requester.request({ path: '/api/things' })),
    )
    expect(backend.count('POST /api/auth/login')).toBe(1)
    expect(backend.maxInFlight).toBeLessThanOrEqual(10)
  })
})

describe('401: log in again and replay once', () => {
  it('replays with the new token after one login', async () => {
    loggedIn('expired')
    backend.tokens.delete('expired')
    backend.on('GET /api/things', () => ({ status: 200, body: { ok: true } }))
    const a = auth()
    await expect(a.requester.request({ path: '/api/things' })).resolves.toEqual({ ok: true })
    expect(backend.received.map((r) => `${r.method} ${r.path} ${r.token}`)).toEqual([
      'GET /api/things expired',
      'POST /api/auth/login null',
      'GET /api/things token-1',
    ])
  })

  it('never replays more than once: a backend that keeps answering 401 gets two tries', async () => {
    loggedIn()
    backend.on('GET /api/things', () => error(401, 'UNAUTHORIZED'))
    await expect(auth().requester.request({ path: '/api/things' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    })
    expect(backend.count('GET /api/things')).toBe(2)
    expect(backend.count('POST /api/auth/login')).toBe(1)
  })

  it('a stale 401 for an old token, arriving after a fresh login, keeps the fresh token', async () => {
    loggedIn('old')
    // The slow request left with the old token; its 401 comes back after the fast one re-logged in.
    backend.on('GET /api/slow', (req) =>
      req.token === 'old'
        ? { ...error(401, 'UNAUTHORIZED'), delayMs: 150 }
        : { status: 200, body: { slow: true } },
    )
    backend.on('GET /api/fast', (req) =>
      req.token === 'old' ? error(401, 'UNAUTHORIZED') : { status: 200, body: { fast: true } },
    )
    const a = auth()
    const [slow, fast] = await Promise.all([
      a.requester.request({ path: '/api/slow' }),
      a.requester.request({ path: '/api/fast' }),
    ])
    expect([slow, fast]).toEqual([{ slow: true }, { fast: true }])
    expect(backend.count('POST /api/auth/login')).toBe(1)
    expect(a.session.validToken()).toBe('token-1')
    expect((wx.storage.get('auth.session') as { token: string }).token).toBe('token-1')
  })

  it('10 requests failing with 401 together cause exactly one login', async () => {
    loggedIn('expired')
    backend.tokens.delete('expired')
    backend.on('GET /api/things', () => ({ status: 200, body: {}, delayMs: 10 }))
    const a = auth()
    await Promise.all(
      Array.from({ length: 10 }, () => a.requester.request({ path: '/api/things' })),
    )
    expect(wx.count('login')).toBe(1)
    expect(backend.count('POST /api/auth/login')).toBe(1)
    expect(backend.count('GET /api/things')).toBe(20)
  })

  it('with relogin: false, a 401 fails without wx.login (consent callbacks)', async () => {
    loggedIn()
    backend.on('POST /api/auth/phone', () => error(401, 'UNAUTHORIZED'))
    const a = auth()
    await expect(
      a.requester.request({ path: '/api/auth/phone', method: 'POST', relogin: false }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(wx.count('login')).toBe(0)
    expect(a.session.validToken()).toBeNull()
  })
})

describe('transient failures: backoff, at most 3 tries', () => {
  it.each([502, 503, 504])(
    'retries an idempotent request after %i and succeeds',
    async (status) => {
      loggedIn()
      let calls = 0
      backend.on('GET /api/things', () =>
        ++calls < 3 ? error(status, 'WECHAT_UNAVAILABLE') : { status: 200, body: { ok: true } },
      )
      await expect(auth().requester.request({ path: '/api/things' })).resolves.toEqual({ ok: true })
      expect(calls).toBe(3)
    },
  )

  it('retries a dropped connection, then gives the caller a clear NETWORK_ERROR', async () => {
    loggedIn()
    backend.on('GET /api/things', () => ({ drop: true }))
    await expect(auth().requester.request({ path: '/api/things' })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      status: 0,
    })
    expect(backend.count('GET /api/things')).toBe(3)
  })

  it('retries a timeout as transient', async () => {
    loggedIn()
    let calls = 0
    backend.on('GET /api/things', () =>
      ++calls === 1 ? { status: 200, body: {}, delayMs: 200 } : { status: 200, body: { ok: 1 } },
    )
    await expect(auth().requester.request({ path: '/api/things', timeoutMs: 50 })).resolves.toEqual(
      { ok: 1 },
    )
  })

  it('never repeats a POST on its own: it may have taken effect', async () => {
    loggedIn()
    backend.on('POST /api/orders', () => error(503, 'WECHAT_UNAVAILABLE'))
    await expect(
      auth().requester.request({ path: '/api/orders', method: 'POST' }),
    ).rejects.toMatchObject({ status: 503 })
    expect(backend.count('POST /api/orders')).toBe(1)
  })

  it('does not retry a verdict (4xx)', async () => {
    loggedIn()
    backend.on('GET /api/things', () => error(429, 'RATE_LIMITED'))
    await expect(auth().requester.request({ path: '/api/things' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    })
    expect(backend.count('GET /api/things')).toBe(1)
  })

  it('retries the login on WeChat being busy, each try with a fresh code, 3 tries in all', async () => {
    backend.on('POST /api/auth/login', () => error(503, 'WECHAT_UNAVAILABLE'))
    await expect(auth().session.login()).rejects.toMatchObject({ code: 'WECHAT_UNAVAILABLE' })
    expect(wx.count('login')).toBe(3)
    expect(backend.received.map((r) => (r.body as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
      'code-3',
    ])
  })

  it('retries the login while the backend’s database is down (503 STORE_UNAVAILABLE)', async () => {
    let calls = 0
    backend.on('POST /api/auth/login', () =>
      ++calls < 3 ? error(503, 'STORE_UNAVAILABLE') : { status: 200, body: backend.issue() },
    )
    await expect(auth().session.login()).resolves.toMatchObject({ token: 'token-1' })
    expect(calls).toBe(3)
  })

  it('retries a failed wx.login', async () => {
    wx.failLogins = 1
    await auth().session.login()
    expect(wx.count('login')).toBe(2)
    expect(backend.count('POST /api/auth/login')).toBe(1)
  })

  it('gives a rejected code (expired while the app slept) one fresh code, not more', async () => {
    backend.on('POST /api/auth/login', () => error(400, 'WECHAT_CODE_INVALID'))
    await expect(auth().session.login()).rejects.toMatchObject({ code: 'WECHAT_CODE_INVALID' })
    expect(backend.received.map((r) => (r.body as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
    ])
  })

  it('logs in with the fresh code when the first one was rejected', async () => {
    let calls = 0
    backend.on('POST /api/auth/login', () =>
      ++calls === 1 ? error(400, 'WECHAT_CODE_INVALID') : { status: 200, body: backend.issue() },
    )
    await expect(auth().session.login()).resolves.toMatchObject({ token: 'token-1' })
  })

  it('does not retry a backend misconfigured for WeChat (502 WECHAT_ERROR): it only burns quota', async () => {
    backend.on('POST /api/auth/login', () => error(502, 'WECHAT_ERROR'))
    await expect(auth().session.login()).rejects.toMatchObject({ code: 'WECHAT_ERROR' })
    expect(wx.count('login')).toBe(1)
  })

  it('retries a bare 502 from a gateway', async () => {
    let calls = 0
    backend.on('POST /api/auth/login', () =>
      ++calls === 1 ? { status: 502, body: 'Bad Gateway' } : { status: 200, body: backend.issue() },
    )
    await auth().session.login()
    expect(backend.count('POST /api/auth/login')).toBe(2)
  })

  it('waits exponentially longer with jitter, within the cap', () => {
    const policy = { tries: 5, baseDelayMs: 100, maxDelayMs: 300 }
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 150])
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 300])
  })
})
