import {
  authOn,
  error,
  EXPORT,
  FakePlatform,
  forbidRealTimers,
  USER,
} from '../support/fake-platform'

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform()
  platform.storeSession()
})

describe('auth.account', () => {
  it('unbinds the phone with DELETE and the token, and keeps the user without the number', async () => {
    platform.storage.set('auth.session', {
      ...(platform.storage.get('auth.session') as object),
      user: { ...USER, phoneNumber: '13800138000' },
    })
    const auth = authOn(platform)
    const user = await platform.run(auth.account.unbindPhone())
    expect(user.phoneNumber).toBeNull()
    expect(auth.session.user?.phoneNumber).toBeNull()
    expect(platform.backend.lines()).toEqual(['DELETE /api/me/phone token-0'])
  })

  it('reads the export against the contract: fields it does not name are dropped', async () => {
    platform.backend.on('GET /api/me/export', () => ({
      status: 200,
      body: { ...EXPORT, session_key: 'leaked', user: { ...EXPORT.user, openid: 'oLeaked' } },
    }))
    const held = await platform.run(authOn(platform).account.exportData())
    expect(held).toEqual(EXPORT)
  })

  it('refuses an export that is not what the contract says as BAD_RESPONSE', async () => {
    const incomplete: Partial<typeof EXPORT> = { ...EXPORT }
    delete incomplete.sessions
    platform.backend.on('GET /api/me/export', () => ({ status: 200, body: incomplete }))
    await expect(platform.run(authOn(platform).account.exportData())).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
    })
  })

  it('logs out everywhere: the session is forgotten here, retried through a busy gateway', async () => {
    let calls = 0
    platform.backend.on('POST /api/auth/logout-all', (_request, backend) => {
      if (++calls === 1) return error(503, 'STORE_UNAVAILABLE')
      backend.tokens.clear()
      return { status: 204 }
    })
    const auth = authOn(platform)
    await platform.run(auth.account.logoutAll())
    expect(calls).toBe(2)
    expect(auth.session.state).toEqual({ status: 'anonymous' })
    expect(platform.storage.has('auth.session')).toBe(false)
  })

  it('注销: DELETE /api/me, the session forgotten, and no silent login in this run', async () => {
    const auth = authOn(platform)
    await platform.run(auth.account.deleteAccount())
    expect(platform.backend.lines()).toEqual(['DELETE /api/me token-0'])
    expect(auth.session.state).toEqual({ status: 'anonymous' })
    expect(platform.storage.has('auth.session')).toBe(false)

    // Neither a request nor a page readying its button logs in: it would make a new account.
    await expect(platform.run(auth.requester.request({ path: '/api/me' }))).rejects.toMatchObject({
      code: 'NOT_LOGGED_IN',
    })
    await expect(platform.run(auth.phone.prepare())).rejects.toMatchObject({
      code: 'NOT_LOGGED_IN',
    })
    expect(platform.count('login')).toBe(0)

    // The user's own 登录 does.
    await platform.run(auth.session.login())
    expect(auth.session.state.status).toBe('logged-in')
    await platform.run(auth.requester.request({ path: '/api/me' }))
    expect(platform.count('login')).toBe(1)
  })

  it('注销 that fails leaves the session as it was, with the error to show', async () => {
    platform.backend.on('DELETE /api/me', () => error(503, 'STORE_UNAVAILABLE'))
    const auth = authOn(platform)
    await expect(platform.run(auth.account.deleteAccount())).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      transient: true,
    })
    // Retried as a DELETE is: three tries in all.
    expect(platform.backend.count('DELETE /api/me')).toBe(3)
    expect(auth.session.state.status).toBe('logged-in')
  })

  it('注销 with a token another device ended: one login, the DELETE again, then signed out', async () => {
    platform.backend.tokens.clear()
    const auth = authOn(platform)
    await platform.run(auth.account.deleteAccount())
    expect(platform.backend.lines()).toEqual([
      'DELETE /api/me token-0',
      'POST /api/auth/login null',
      'DELETE /api/me token-1',
    ])
    expect(auth.session.state).toEqual({ status: 'anonymous' })
  })
})
