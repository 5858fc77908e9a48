import type { AuthState } from '../../miniprogram/auth/index'
import {
  authOn,
  error,
  FakePlatform,
  forbidRealTimers,
  type Reply,
  USER,
} from '../support/fake-platform'
import { flush } from '../support/virtual-clock'

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform()
})

function stored(): { token: string; expiresAt: number; user: { id: string } } {
  return platform.storage.get('auth.session') as {
    token: string
    expiresAt: number
    user: { id: string }
  }
}

describe('silent login on launch', () => {
  it('start(): wx.login, the code to the backend, the token and its expiry stored', async () => {
    const { session } = authOn(platform)
    session.start()
    await platform.run(session.ensure())
    expect(platform.count('login')).toBe(1)
    expect(platform.backend.received[0]).toMatchObject({
      method: 'POST',
      path: '/api/auth/login',
      body: { code: 'code-1' },
    })
    expect(stored()).toEqual({
      token: 'token-1',
      expiresAt: platform.now() + 3600 * 1000,
      user: USER,
    })
  })

  it('keeps nothing but the token, its expiry and the user, whatever else the backend sends', async () => {
    platform.backend.on('POST /api/auth/login', (_req, backend) => ({
      status: 200,
      body: { ...backend.issue(), session_key: 'tiihtNczf5v6AKRyjwEUhQ==', openid: 'o_secret' },
    }))
    const { session } = authOn(platform)
    await platform.run(session.login())
    const everything = JSON.stringify([...platform.storage.values()])
    expect(everything).not.toContain('tiihtNczf5v6AKRyjwEUhQ==')
    expect(everything).not.toContain('o_secret')
    expect(Object.keys(stored()).sort()).toEqual(['expiresAt', 'token', 'user'])
  })
})

describe('single-flight', () => {
  it('10 concurrent callers at a cold start share one wx.login and one login POST', async () => {
    const a = authOn(platform)
    platform.backend.on('GET /api/things', () => ({ status: 200, body: { ok: true } }))
    const results = await platform.run(
      Promise.all(
        Array.from({ length: 10 }, () =>
          a.requester.request<{ ok: boolean }>({ path: '/api/things' }),
        ),
      ),
    )
    expect(results.every((r) => r.ok)).toBe(true)
    expect(platform.count('login')).toBe(1)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
    expect(platform.backend.count('GET /api/things')).toBe(10)
  })

  it('the launch and a page asking at the same time still make one login', async () => {
    const { session } = authOn(platform)
    session.start()
    await platform.run(Promise.all([session.ensure(), session.ensure()]))
    expect(platform.count('login')).toBe(1)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
  })

  it('login() itself is single-flight: a forced re-login during a login joins it', async () => {
    platform.backend.on('POST /api/auth/login', (_req, backend) => ({
      status: 200,
      body: backend.issue(),
      delayMs: 20,
    }))
    const { session } = authOn(platform)
    const [a, b] = await platform.run(
      Promise.all([session.login(), session.login({ force: true })]),
    )
    expect(a.token).toBe(b.token)
    expect(platform.count('login')).toBe(1)
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
  })

  it.each([
    [503, 'WECHAT_UNAVAILABLE'],
    [502, 'WECHAT_BAD_ANSWER'],
  ])(
    'sends each code once: a try answered %i %s asks wx.login for a fresh code',
    async (status, code) => {
      let calls = 0
      platform.backend.on('POST /api/auth/login', (_req, backend) =>
        ++calls === 1 ? error(status, code) : { status: 200, body: backend.issue() },
      )
      await platform.run(authOn(platform).session.login())
      const codes = platform.backend.received.map((r) => (r.body as { code: string }).code)
      expect(codes).toEqual(['code-1', 'code-2'])
    },
  )
})

describe('warm start', () => {
  it('uses a stored, unexpired token as is: no wx.login, no request before the first business request', async () => {
    platform.storeSession('stored-token')
    platform.backend.on('GET /api/things', () => ({ status: 200, body: {} }))
    const a = authOn(platform)
    a.session.start()
    expect(a.session.state).toEqual({ status: 'logged-in', user: USER })
    await platform.run(a.requester.request({ path: '/api/things' }))
    expect(platform.count('login')).toBe(0)
    expect(platform.backend.lines()).toEqual(['GET /api/things stored-token'])
  })

  it('logs in again when the stored token has expired', async () => {
    platform.storeSession('old', -1000)
    const { session } = authOn(platform)
    expect(session.state.status).toBe('anonymous')
    session.start()
    await platform.run(session.ensure())
    expect(platform.count('login')).toBe(1)
    expect(stored().token).toBe('token-1')
  })

  it('ignores storage it cannot read and logs in', async () => {
    platform.storage.set('auth.session', 'garbage from an older version')
    const { session } = authOn(platform)
    session.start()
    await platform.run(session.ensure())
    expect(stored().token).toBe('token-1')
  })
})

describe('observable state', () => {
  it('goes anonymous → logging in → logged in, and back to anonymous on logout', async () => {
    const { session } = authOn(platform)
    const seen: AuthState['status'][] = []
    session.subscribe((state) => seen.push(state.status))
    await platform.run(session.login())
    await platform.run(session.logout())
    expect(seen).toEqual(['anonymous', 'logging-in', 'logged-in', 'anonymous'])
    expect(platform.storage.has('auth.session')).toBe(false)
    expect(platform.backend.lines().at(-1)).toBe('POST /api/auth/logout token-1')
  })

  it('reports a login that failed for good as the error state, with its code', async () => {
    platform.backend.on('POST /api/auth/login', () => error(403, 'WECHAT_RISK_BLOCKED'))
    const { session } = authOn(platform)
    await expect(platform.run(session.login())).rejects.toMatchObject({
      code: 'WECHAT_RISK_BLOCKED',
      status: 403,
    })
    expect(session.state).toMatchObject({ status: 'error', error: { code: 'WECHAT_RISK_BLOCKED' } })
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
  })

  it('stops notifying a listener once it unsubscribes', async () => {
    const { session } = authOn(platform)
    const seen: string[] = []
    const unsubscribe = session.subscribe((state) => seen.push(state.status))
    unsubscribe()
    await platform.run(session.login())
    expect(seen).toEqual(['anonymous'])
  })

  it('a login after a logout starts afresh instead of joining the abandoned one', async () => {
    platform.backend.on('POST /api/auth/login', (_req, backend) => ({
      status: 200,
      body: backend.issue(),
      delayMs: 50,
    }))
    const { session } = authOn(platform)
    const abandoned = session.login()
    await platform.run(session.logout())
    await expect(platform.run(session.login())).resolves.toMatchObject({ token: 'token-2' })
    await expect(platform.run(abandoned)).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' })
    expect(session.state.status).toBe('logged-in')
    expect(platform.count('login')).toBe(2)
  })

  it('a logout during a login wins: the late login does not bring the session back', async () => {
    let answer: (reply: Reply) => void = () => undefined
    platform.backend.on('POST /api/auth/login', () => new Promise((resolve) => (answer = resolve)))
    const { session } = authOn(platform)
    const login = session.login()
    await flush()
    // Step by step: the login's POST is out and unanswered when the user logs out.
    expect(platform.backend.lines()).toEqual(['POST /api/auth/login null'])
    await platform.run(session.logout())
    answer({ status: 200, body: platform.backend.issue() })
    await expect(platform.run(login)).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' })
    expect(session.state.status).toBe('anonymous')
    expect(platform.storage.has('auth.session')).toBe(false)
  })
})

describe('a login always ends: logged in, or the error state with its code', () => {
  it('storage full: the error state with 重试, while this run uses the token it could not store', async () => {
    platform.storageFull = true
    const a = authOn(platform)
    const seen: AuthState['status'][] = []
    a.session.subscribe((state) => seen.push(state.status))
    await expect(platform.run(a.session.login())).resolves.toMatchObject({ token: 'token-1' })
    expect(seen).toEqual(['anonymous', 'logging-in', 'error'])
    expect(a.session.state).toMatchObject({ status: 'error', error: { code: 'STORAGE_FAILED' } })
    expect(platform.storage.has('auth.session')).toBe(false)
    platform.backend.on('GET /api/things', () => ({ status: 200, body: {} }))
    await platform.run(a.requester.request({ path: '/api/things' }))
    expect(platform.backend.lines().at(-1)).toBe('GET /api/things token-1')

    // 重试 once there is room: the same session is saved, without another wx.login.
    platform.storageFull = false
    await platform.run(a.session.login())
    expect(a.session.state.status).toBe('logged-in')
    expect(stored()).toMatchObject({ token: 'token-1' })
    expect(platform.count('login')).toBe(1)
  })

  it('storage full at a forced login: the replaced token is not left for the next launch', async () => {
    platform.storeSession('token-0')
    platform.sessionValid = false
    platform.storageFull = true
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
    const a = authOn(platform)
    // The phone page shows; WeChat's session_key expired: a login before the tap.
    await platform.run(a.phone.prepare())
    expect(a.session.heldToken()).toBe('token-1')
    expect(platform.storage.has('auth.session')).toBe(false)
    expect(authOn(platform).session.state.status).toBe('anonymous')
    warn.mockRestore()
  })

  it('storage full: a newer user from the backend (a bound phone) is still kept for this run', async () => {
    const { session } = authOn(platform)
    await platform.run(session.login())
    platform.storageFull = true
    session.setUser({ ...USER, phoneNumber: '13800138000' })
    expect(session.user).toMatchObject({ phoneNumber: '13800138000' })
    expect(session.state).toMatchObject({ status: 'error', error: { code: 'STORAGE_FAILED' } })
  })

  it('a page listener that throws does not stall the login, nor keep the news from other pages', async () => {
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined)
    const { session } = authOn(platform)
    session.subscribe((state) => {
      if (state.status === 'logged-in') throw new Error('a bug in one page')
    })
    const seen: AuthState['status'][] = []
    session.subscribe((state) => seen.push(state.status))
    await expect(platform.run(session.login())).resolves.toMatchObject({ token: 'token-1' })
    expect(seen).toEqual(['anonymous', 'logging-in', 'logged-in'])
    expect(session.state.status).toBe('logged-in')
    expect(consoleError).toHaveBeenCalled()
    consoleError.mockRestore()
  })

  it('a forced login that fails (offline before a tap) leaves the held token logged in', async () => {
    platform.storeSession('token-0')
    platform.sessionValid = false
    platform.backend.on('POST /api/auth/login', () => ({ drop: true }))
    const a = authOn(platform)
    const seen: AuthState['status'][] = []
    a.session.subscribe((state) => seen.push(state.status))
    // The phone page shows: WeChat's session lapsed, the login before the tap cannot reach us.
    await expect(platform.run(a.phone.prepare())).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    expect(seen).toEqual(['logged-in', 'logging-in', 'logged-in'])
    expect(a.session.heldToken()).toBe('token-0')
    expect(stored()).toMatchObject({ token: 'token-0' })
  })

  it('after a login whose code the backend never redeemed, the next tap is readied by a login', async () => {
    platform.storeSession('token-0')
    platform.sessionValid = false
    platform.backend.on('POST /api/auth/login', () => ({ drop: true }))
    const a = authOn(platform)
    await expect(platform.run(a.phone.prepare())).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
    // The network is back. WeChat's session is the one of the last code, which checkSession
    // vouches for; the backend still holds the key before it.
    platform.backend.reset()
    platform.backend.tokens.add('token-0')
    platform.sessionValid = true
    const logins = platform.count('login')
    await platform.run(a.phone.prepare())
    expect(platform.count('login')).toBe(logins + 1)
    expect(a.session.heldToken()).toBe('token-1')
  })

  it('wx.login failing with something other than an AuthError still ends in the error state', async () => {
    platform.login = () => Promise.reject(new TypeError('wx.login is not a function'))
    const { session } = authOn(platform)
    await expect(platform.run(session.login())).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
    expect(session.state).toMatchObject({ status: 'error', error: { code: 'BAD_RESPONSE' } })
  })
})
