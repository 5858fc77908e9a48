import { createConfig } from '../../miniprogram/config'
import { createAuth, type Auth, type AuthState } from '../../miniprogram/auth/index'
import { wxPlatform } from '../../miniprogram/auth/platform'
import { error, useFakeBackend } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import { FAST_RETRY, launchApp, settle } from '../support/harness'

const backend = useFakeBackend()
let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx()
})

/** A fresh auth module on the fake wx, without app.ts: for the module's own behaviour. */
function auth(): Auth {
  wx.install()
  return createAuth(createConfig({ baseUrl: backend.url, retry: FAST_RETRY }), wxPlatform())
}

function stored(): { token: string; expiresAt: number; user: { id: string } } {
  return wx.storage.get('auth.session') as {
    token: string
    expiresAt: number
    user: { id: string }
  }
}

describe('silent login on launch', () => {
  it('logs in from onLaunch: wx.login, the code to the backend, the token and its expiry stored', async () => {
    const app = launchApp(wx, { baseUrl: backend.url })
    await settle(() => app.auth.session.state.status === 'logged-in')
    expect(wx.count('login')).toBe(1)
    expect(backend.received[0]).toMatchObject({
      method: 'POST',
      path: '/api/auth/login',
      body: { code: 'code-1' },
    })
    expect(stored().token).toBe('token-1')
    expect(stored().expiresAt).toBeGreaterThan(Date.now() + 3500 * 1000)
  })

  it('keeps nothing but the token, its expiry and the user, whatever else the backend sends', async () => {
    backend.on('POST /api/auth/login', () => ({
      status: 200,
      body: { ...backend.issue(), session_key: 'tiihtNczf5v6AKRyjwEUhQ==', openid: 'o_secret' },
    }))
    const { session } = auth()
    await session.login()
    const everything = JSON.stringify([...wx.storage.values()])
    expect(everything).not.toContain('tiihtNczf5v6AKRyjwEUhQ==')
    expect(everything).not.toContain('o_secret')
    expect(Object.keys(stored()).sort()).toEqual(['expiresAt', 'token', 'user'])
  })
})

describe('single-flight', () => {
  it('10 concurrent callers at a cold start share one wx.login and one login POST', async () => {
    const a = auth()
    backend.on('GET /api/things', () => ({ status: 200, body: { ok: true } }))
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        a.requester.request<{ ok: boolean }>({ path: '/api/things' }),
      ),
    )
    expect(results.every((r) => r.ok)).toBe(true)
    expect(wx.count('login')).toBe(1)
    expect(backend.count('POST /api/auth/login')).toBe(1)
    expect(backend.count('GET /api/things')).toBe(10)
  })

  it('app launch and a page asking at the same time still make one login', async () => {
    const app = launchApp(wx, { baseUrl: backend.url })
    await Promise.all([app.auth.session.ensure(), app.auth.session.ensure()])
    expect(wx.count('login')).toBe(1)
    expect(backend.count('POST /api/auth/login')).toBe(1)
  })

  it('login() itself is single-flight: a forced re-login during a login joins it', async () => {
    backend.on('POST /api/auth/login', () => ({ status: 200, body: backend.issue(), delayMs: 20 }))
    const { session } = auth()
    const [a, b] = await Promise.all([session.login(), session.login({ force: true })])
    expect(a.token).toBe(b.token)
    expect(wx.count('login')).toBe(1)
    expect(backend.count('POST /api/auth/login')).toBe(1)
  })

  it('sends each code once: a failed try asks wx.login for a fresh code', async () => {
    let calls = 0
    backend.on('POST /api/auth/login', () =>
      ++calls === 1 ? error(503, 'WECHAT_UNAVAILABLE') : { status: 200, body: backend.issue() },
    )
    await auth().session.login()
    const codes = backend.received.map((r) => (r.body as { code: string }).code)
    expect(codes).toEqual(['code-1', 'code-2'])
  })
})

describe('warm start', () => {
  it('uses a stored, unexpired token as is: no wx.login, no request before the first business request', async () => {
    wx.storage.set('auth.session', {
      token: 'stored-token',
      expiresAt: Date.now() + 3600 * 1000,
      user: { id: 'u_1', nickName: '小明', avatarUrl: null, phoneNumber: null },
    })
    backend.tokens.add('stored-token')
    backend.on('GET /api/things', () => ({ status: 200, body: {} }))
    const app = launchApp(wx, { baseUrl: backend.url })
    expect(app.auth.session.state).toEqual({
      status: 'logged-in',
      user: { id: 'u_1', nickName: '小明', avatarUrl: null, phoneNumber: null },
    })
    await app.auth.requester.request({ path: '/api/things' })
    expect(wx.count('login')).toBe(0)
    expect(backend.received.map((r) => `${r.method} ${r.path} ${r.token}`)).toEqual([
      'GET /api/things stored-token',
    ])
  })

  it('logs in again when the stored token has expired', async () => {
    wx.storage.set('auth.session', {
      token: 'old',
      expiresAt: Date.now() - 1000,
      user: { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null },
    })
    const app = launchApp(wx, { baseUrl: backend.url })
    await settle(() => app.auth.session.state.status === 'logged-in')
    expect(wx.count('login')).toBe(1)
    expect(stored().token).toBe('token-1')
  })

  it('ignores storage it cannot read and logs in', async () => {
    wx.storage.set('auth.session', 'garbage from an older version')
    const app = launchApp(wx, { baseUrl: backend.url })
    await settle(() => app.auth.session.state.status === 'logged-in')
    expect(stored().token).toBe('token-1')
  })
})

describe('observable state', () => {
  it('goes anonymous → logging in → logged in, and back to anonymous on logout', async () => {
    const { session } = auth()
    const seen: AuthState['status'][] = []
    session.subscribe((state) => seen.push(state.status))
    await session.login()
    await session.logout()
    expect(seen).toEqual(['anonymous', 'logging-in', 'logged-in', 'anonymous'])
    expect(wx.storage.has('auth.session')).toBe(false)
    expect(backend.received.at(-1)).toMatchObject({ path: '/api/auth/logout', token: 'token-1' })
  })

  it('reports a login that failed for good as the error state, with its code', async () => {
    backend.on('POST /api/auth/login', () => error(403, 'WECHAT_RISK_BLOCKED'))
    const { session } = auth()
    await expect(session.login()).rejects.toMatchObject({
      code: 'WECHAT_RISK_BLOCKED',
      status: 403,
    })
    expect(session.state).toMatchObject({ status: 'error', error: { code: 'WECHAT_RISK_BLOCKED' } })
    expect(backend.count('POST /api/auth/login')).toBe(1)
  })

  it('stops notifying a listener once it unsubscribes', async () => {
    const { session } = auth()
    const seen: string[] = []
    const unsubscribe = session.subscribe((state) => seen.push(state.status))
    unsubscribe()
    await session.login()
    expect(seen).toEqual(['anonymous'])
  })

  it('a login after a logout starts afresh instead of joining the abandoned one', async () => {
    backend.on('POST /api/auth/login', () => ({ status: 200, body: backend.issue(), delayMs: 50 }))
    const { session } = auth()
    const abandoned = session.login()
    await session.logout()
    await expect(session.login()).resolves.toMatchObject({ token: 'token-2' })
    await expect(abandoned).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' })
    expect(session.state.status).toBe('logged-in')
    expect(wx.count('login')).toBe(2)
  })

  it('a logout during a login wins: the late login does not bring the session back', async () => {
    backend.on('POST /api/auth/login', () => ({ status: 200, body: backend.issue(), delayMs: 50 }))
    const { session } = auth()
    const login = session.login()
    await session.logout()
    await expect(login).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' })
    expect(session.state.status).toBe('anonymous')
    expect(wx.storage.has('auth.session')).toBe(false)
  })
})
