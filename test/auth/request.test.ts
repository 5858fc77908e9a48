import { isAuthError, type AuthError } from '../../miniprogram/auth/index'
import { backoffDelay } from '../../miniprogram/auth/retry'
import { failure } from '../../miniprogram/utils/messages'
import { authOn, error, FakePlatform, forbidRealTimers } from '../support/fake-platform'

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform()
})

describe('request<T>()', () => {
  it('attaches the token as Authorization: Bearer and returns the typed body', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => ({ status: 200, body: { n: 42 } }))
    const { n } = await platform.run(
      authOn(platform).requester.request<{ n: number }>({ path: '/api/things' }),
    )
    expect(n).toBe(42)
    expect(platform.backend.received[0].headers.authorization).toBe('Bearer token-0')
  })

  it('sends the token in the configured header, with or without a scheme', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => ({ status: 200, body: {} }), { public: true })
    const a = authOn(platform, { tokenHeader: 'X-Session', tokenScheme: '' })
    await platform.run(a.requester.request({ path: '/api/things' }))
    expect(platform.backend.received[0].headers['x-session']).toBe('token-0')
    expect(platform.backend.received[0].headers.authorization).toBeUndefined()
  })

  it('sends no token and never logs in for a public route', async () => {
    platform.backend.on('GET /api/public', () => ({ status: 200, body: { open: true } }), {
      public: true,
    })
    const a = authOn(platform)
    await expect(
      platform.run(a.requester.request({ path: '/api/public', auth: false })),
    ).resolves.toEqual({ open: true })
    expect(platform.backend.received[0].token).toBeNull()
    expect(platform.count('login')).toBe(0)
  })

  it('turns a non-2xx answer into an AuthError with the contract code and status', async () => {
    platform.storeSession()
    platform.backend.on('PUT /api/me/profile', () => error(400, 'NICKNAME_INVALID'))
    const err = await platform
      .run(
        authOn(platform).requester.request({
          path: '/api/me/profile',
          method: 'PUT',
          data: { nickName: '' },
        }),
      )
      .catch((e: unknown) => e)
    expect(isAuthError(err)).toBe(true)
    expect(err).toMatchObject({ code: 'NICKNAME_INVALID', status: 400 })
  })

  it('reports a non-2xx without the error shape as HTTP_ERROR', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => ({ status: 418, body: 'teapot' }))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things' })),
    ).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 418 })
  })

  it('gives up after the per-call timeout with a TIMEOUT error', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/slow', () => ({ status: 200, body: {}, delayMs: 300 }))
    const sent = platform.now()
    await expect(
      platform.run(
        authOn(platform).requester.request({ path: '/api/slow', method: 'POST', timeoutMs: 50 }),
      ),
    ).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(platform.now() - sent).toBe(50)
  })
})

describe('at most 10 requests at once, as WeChat allows', () => {
  it('queues the rest, and every request still succeeds', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => ({ status: 200, body: { ok: true }, delayMs: 30 }))
    const a = authOn(platform)
    const answers = await platform.run(
      Promise.all(Array.from({ length: 25 }, () => a.requester.request({ path: '/api/things' }))),
    )
    expect(answers).toHaveLength(25)
    expect(platform.backend.maxInFlight).toBe(10)
  })

  it('a login that queued requests need is not stuck behind them', async () => {
    platform.storeSession('expired')
    platform.backend.tokens.delete('expired')
    platform.backend.on('GET /api/things', () => ({ status: 200, body: {}, delayMs: 10 }))
    const a = authOn(platform)
    await platform.run(
      Promise.all(Array.from({ length: 25 }, () => a.requester.request({ path: '/api/things' }))),
    )
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
    expect(platform.backend.maxInFlight).toBeLessThanOrEqual(10)
  })
})

describe('401: log in again and replay once', () => {
  it('replays with the new token after one login', async () => {
    platform.storeSession('expired')
    platform.backend.tokens.delete('expired')
    platform.backend.on('GET /api/things', () => ({ status: 200, body: { ok: true } }))
    const a = authOn(platform)
    await expect(platform.run(a.requester.request({ path: '/api/things' }))).resolves.toEqual({
      ok: true,
    })
    expect(platform.backend.lines()).toEqual([
      'GET /api/things expired',
      'POST /api/auth/login null',
      'GET /api/things token-1',
    ])
  })

  it('never replays more than once: a backend that keeps answering 401 gets two tries', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => error(401, 'UNAUTHORIZED'))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things' })),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(platform.backend.count('GET /api/things')).toBe(2)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
  })

  it('a stale 401 for an old token, arriving after a fresh login, keeps the fresh token', async () => {
    platform.storeSession('old')
    // The slow request left with the old token; its 401 comes back after the fast one re-logged in.
    platform.backend.on('GET /api/slow', (req) =>
      req.token === 'old'
        ? { ...error(401, 'UNAUTHORIZED'), delayMs: 150 }
        : { status: 200, body: { slow: true } },
    )
    platform.backend.on('GET /api/fast', (req) =>
      req.token === 'old' ? error(401, 'UNAUTHORIZED') : { status: 200, body: { fast: true } },
    )
    const a = authOn(platform)
    const [slow, fast] = await platform.run(
      Promise.all([
        a.requester.request({ path: '/api/slow' }),
        a.requester.request({ path: '/api/fast' }),
      ]),
    )
    expect([slow, fast]).toEqual([{ slow: true }, { fast: true }])
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
    expect(a.session.validToken()).toBe('token-1')
    expect((platform.storage.get('auth.session') as { token: string }).token).toBe('token-1')
  })

  it('10 requests failing with 401 together cause exactly one login', async () => {
    platform.storeSession('expired')
    platform.backend.tokens.delete('expired')
    platform.backend.on('GET /api/things', () => ({ status: 200, body: {}, delayMs: 10 }))
    const a = authOn(platform)
    await platform.run(
      Promise.all(Array.from({ length: 10 }, () => a.requester.request({ path: '/api/things' }))),
    )
    expect(platform.count('login')).toBe(1)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
    expect(platform.backend.count('GET /api/things')).toBe(20)
  })

  it('with relogin: false, a 401 fails without wx.login (consent callbacks)', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/auth/phone', () => error(401, 'UNAUTHORIZED'))
    const a = authOn(platform)
    await expect(
      platform.run(
        a.requester.request({ path: '/api/auth/phone', method: 'POST', relogin: false }),
      ),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(platform.count('login')).toBe(0)
    expect(a.session.validToken()).toBeNull()
  })
})

describe('transient failures: backoff, at most 3 tries', () => {
  it.each([502, 503, 504])(
    'retries an idempotent request after %i and succeeds',
    async (status) => {
      platform.storeSession()
      let calls = 0
      platform.backend.on('GET /api/things', () =>
        ++calls < 3 ? error(status, 'WECHAT_UNAVAILABLE') : { status: 200, body: { ok: true } },
      )
      await expect(
        platform.run(authOn(platform).requester.request({ path: '/api/things' })),
      ).resolves.toEqual({ ok: true })
      expect(calls).toBe(3)
    },
  )

  it('waits out the backoff between tries: 300 ms then 600 ms, jitter in the middle', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => error(503, 'WECHAT_UNAVAILABLE'))
    const start = platform.now()
    await platform
      .run(authOn(platform).requester.request({ path: '/api/things' }))
      .catch(() => undefined)
    expect(platform.backend.received.map((r) => r.at - start)).toEqual([0, 225, 675])
  })

  it('retries a dropped connection, then gives the caller a clear NETWORK_ERROR', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => ({ drop: true }))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things' })),
    ).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 })
    expect(platform.backend.count('GET /api/things')).toBe(3)
  })

  it('retries a timeout as transient', async () => {
    platform.storeSession()
    let calls = 0
    platform.backend.on('GET /api/things', () =>
      ++calls === 1 ? { status: 200, body: {}, delayMs: 200 } : { status: 200, body: { ok: 1 } },
    )
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things', timeoutMs: 50 })),
    ).resolves.toEqual({ ok: 1 })
  })

  it('retries a request the server cut off as too slow to arrive (408), on the backoff', async () => {
    platform.storeSession()
    let calls = 0
    platform.backend.on('GET /api/things', () =>
      ++calls < 3 ? error(408, 'REQUEST_TIMEOUT') : { status: 200, body: { ok: true } },
    )
    const start = platform.now()
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things' })),
    ).resolves.toEqual({ ok: true })
    expect(platform.backend.received.map((r) => r.at - start)).toEqual([0, 225, 675])
  })

  it('after three 408s, tells the user the network is too slow, with 重试', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => error(408, 'REQUEST_TIMEOUT'))
    const err = await platform
      .run(authOn(platform).requester.request({ path: '/api/things' }))
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 })
    expect(platform.backend.count('GET /api/things')).toBe(3)
    expect(failure(err as AuthError)).toEqual({
      status: '网络太慢，请求没能及时送达，请稍后重试',
      error: true,
      canRetry: true,
    })
  })

  it('never repeats a POST after a 408 either', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/orders', () => error(408, 'REQUEST_TIMEOUT'))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/orders', method: 'POST' })),
    ).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    expect(platform.backend.count('POST /api/orders')).toBe(1)
  })

  it('retries a login whose request was cut off (408), with a fresh code', async () => {
    let calls = 0
    platform.backend.on('POST /api/auth/login', (_req, backend) =>
      ++calls === 1 ? error(408, 'REQUEST_TIMEOUT') : { status: 200, body: backend.issue() },
    )
    await expect(platform.run(authOn(platform).session.login())).resolves.toMatchObject({
      token: 'token-1',
    })
    expect(platform.backend.received.map((r) => (r.body as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
    ])
  })

  it('never repeats a POST on its own: it may have taken effect', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/orders', () => error(503, 'WECHAT_UNAVAILABLE'))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/orders', method: 'POST' })),
    ).rejects.toMatchObject({ status: 503 })
    expect(platform.backend.count('POST /api/orders')).toBe(1)
  })

  it('does not retry a verdict (4xx)', async () => {
    platform.storeSession()
    platform.backend.on('GET /api/things', () => error(429, 'RATE_LIMITED'))
    await expect(
      platform.run(authOn(platform).requester.request({ path: '/api/things' })),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    expect(platform.backend.count('GET /api/things')).toBe(1)
  })

  it('retries the login on WeChat being busy, each try with a fresh code, 3 tries in all', async () => {
    platform.backend.on('POST /api/auth/login', () => error(503, 'WECHAT_UNAVAILABLE'))
    await expect(platform.run(authOn(platform).session.login())).rejects.toMatchObject({
      code: 'WECHAT_UNAVAILABLE',
    })
    expect(platform.count('login')).toBe(3)
    expect(platform.backend.received.map((r) => (r.body as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
      'code-3',
    ])
  })

  it('retries the login while the backend’s database is down (503 STORE_UNAVAILABLE)', async () => {
    let calls = 0
    platform.backend.on('POST /api/auth/login', () =>
      ++calls < 3
        ? error(503, 'STORE_UNAVAILABLE')
        : { status: 200, body: platform.backend.issue() },
    )
    await expect(platform.run(authOn(platform).session.login())).resolves.toMatchObject({
      token: 'token-1',
    })
    expect(calls).toBe(3)
  })

  it('retries a failed wx.login', async () => {
    platform.failLogins = 1
    await platform.run(authOn(platform).session.login())
    expect(platform.count('login')).toBe(2)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
  })

  it('gives a rejected code (expired while the app slept) one fresh code, not more', async () => {
    platform.backend.on('POST /api/auth/login', () => error(400, 'WECHAT_CODE_INVALID'))
    await expect(platform.run(authOn(platform).session.login())).rejects.toMatchObject({
      code: 'WECHAT_CODE_INVALID',
    })
    expect(platform.backend.received.map((r) => (r.body as { code: string }).code)).toEqual([
      'code-1',
      'code-2',
    ])
  })

  it('logs in with the fresh code when the first one was rejected', async () => {
    let calls = 0
    platform.backend.on('POST /api/auth/login', (_req, backend) =>
      ++calls === 1 ? error(400, 'WECHAT_CODE_INVALID') : { status: 200, body: backend.issue() },
    )
    await expect(platform.run(authOn(platform).session.login())).resolves.toMatchObject({
      token: 'token-1',
    })
  })

  it('does not retry a backend misconfigured for WeChat (502 WECHAT_ERROR): it only burns quota', async () => {
    platform.backend.on('POST /api/auth/login', () => error(502, 'WECHAT_ERROR'))
    await expect(platform.run(authOn(platform).session.login())).rejects.toMatchObject({
      code: 'WECHAT_ERROR',
    })
    expect(platform.count('login')).toBe(1)
  })

  it('retries a bare 502 from a gateway', async () => {
    let calls = 0
    platform.backend.on('POST /api/auth/login', (_req, backend) =>
      ++calls === 1 ? { status: 502, body: 'Bad Gateway' } : { status: 200, body: backend.issue() },
    )
    await platform.run(authOn(platform).session.login())
    expect(platform.backend.count('POST /api/auth/login')).toBe(2)
  })

  it('waits exponentially longer with jitter, within the cap', () => {
    const policy = { tries: 5, baseDelayMs: 100, maxDelayMs: 300 }
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 150])
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 300])
  })
})
