/**
 * Every answer of the backend is read against the contract (miniprogram/contract) before anything
 * of it is kept or shown: a field the contract does not name is dropped — an openid or a
 * session_key a broken backend puts inside `user` never reaches storage, the session's state or a
 * page — and an answer that is not what the contract says is BAD_RESPONSE, with 重试 where one
 * can help, never a crash or a half-kept value.
 */
import type { ConsentOutcome } from '../../miniprogram/auth/index'
import {
  authOn,
  FakePlatform,
  forbidRealTimers,
  PHONE,
  USER,
  type Reply,
} from '../support/fake-platform'

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform()
})

const SECRET_KEY = 'tiihtNczf5v6AKRyjwEUhQ=='
const OPENID = 'o_leaked_openid'
/** A user as a broken backend sends it: the contract's fields, and what must never leave it. */
const LEAKY_USER = { ...USER, openid: OPENID, session_key: SECRET_KEY, unionid: 'u_leaked' }
const USER_INFO = { nickName: 'Band', avatarUrl: 'https://example.com/b.png' }

const PHONE_TAP = { errMsg: 'getPhoneNumber:ok', code: 'phone-code' }
const USER_INFO_TAP = {
  errMsg: 'getUserInfo:ok',
  encryptedData: 'ZW5jcnlwdGVk',
  iv: 'aXZpdml2aXZpdml2aXZpdg==',
  rawData: JSON.stringify(USER_INFO),
  signature: '0000',
}

/** Everything the auth module could have handed on: storage, the state, the session's user. */
function everythingKept(): string {
  const a = authOn(platform)
  return JSON.stringify([[...platform.storage.values()], a.session.state, a.session.user])
}

function expectNothingLeaked(...seen: unknown[]): void {
  const text = everythingKept() + JSON.stringify(seen)
  expect(text).not.toContain(OPENID)
  expect(text).not.toContain(SECRET_KEY)
  expect(text).not.toContain('u_leaked')
}

describe('fields the contract does not name are dropped', () => {
  it('the login: the user is stored without an openid or a session_key inside it', async () => {
    platform.backend.on(
      'POST /api/auth/login',
      (_req, backend) => ({
        status: 200,
        body: { ...backend.issue(), user: LEAKY_USER, openid: OPENID },
      }),
      { public: true },
    )
    const { session } = authOn(platform)
    await platform.run(session.login())
    expect(session.user).toEqual(USER)
    expectNothingLeaked()
  })

  it.each([
    ['GET /api/me', (a: ReturnType<typeof authOn>) => a.profile.refresh(), { user: LEAKY_USER }],
    [
      'PUT /api/me/profile',
      (a: ReturnType<typeof authOn>) => a.profile.saveNickname('小明'),
      { user: LEAKY_USER },
    ],
    [
      'POST /api/me/avatar',
      (a: ReturnType<typeof authOn>) => a.profile.uploadAvatar('wxfile://tmp/a.png'),
      { avatarUrl: 'https://api.example.test/avatars/a.png', user: LEAKY_USER },
    ],
  ])('%s: the user kept and returned is the contract’s', async (route, run, body) => {
    platform.storeSession()
    platform.backend.on(route, () => ({ status: 200, body }))
    const a = authOn(platform)
    const user = await platform.run(run(a))
    expect(user).toEqual(USER)
    expect(a.session.user).toEqual(USER)
    expectNothingLeaked(user)
  })

  it('the phone number: only its three fields, and the user keeps the number', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/auth/phone', () => ({
      status: 200,
      body: { ...PHONE, openid: OPENID, session_key: SECRET_KEY },
    }))
    const a = authOn(platform)
    const outcome = await platform.run(a.phone.submit(PHONE_TAP))
    expect(outcome).toEqual({ kind: 'ok', value: PHONE })
    expect(a.session.user).toEqual({ ...USER, phoneNumber: PHONE.phoneNumber })
    expectNothingLeaked(outcome)
  })

  it('the user info: neither WeChat’s openId inside userInfo nor an openid inside user', async () => {
    platform.storeSession()
    platform.backend.on('POST /api/auth/userinfo', () => ({
      status: 200,
      body: {
        userInfo: { ...USER_INFO, openId: OPENID, watermark: { appid: 'wx0' } },
        user: LEAKY_USER,
      },
    }))
    const a = authOn(platform)
    const outcome = await platform.run(a.userInfo.submit(USER_INFO_TAP))
    expect(outcome).toEqual({
      kind: 'ok',
      value: { userInfo: USER_INFO, user: USER, anonymous: false },
    })
    expectNothingLeaked(outcome)
  })

  it('a stored session is read back through the same schema', async () => {
    platform.storage.set('auth.session', {
      token: 'token-0',
      expiresAt: platform.now() + 3600_000,
      user: LEAKY_USER,
      session_key: SECRET_KEY,
    })
    platform.backend.tokens.add('token-0')
    const a = authOn(platform)
    expect(a.session.state).toEqual({ status: 'logged-in', user: USER })
    expect(JSON.stringify([a.session.state, a.session.user])).not.toContain(OPENID)
  })
})

describe('an answer that is not what the contract says is BAD_RESPONSE, and nothing of it is kept', () => {
  it.each<[string, unknown]>([
    ['no token', { expiresIn: 3600, user: USER }],
    ['an empty token', { token: '', expiresIn: 3600, user: USER }],
    ['expiresIn of 0', { token: 't', expiresIn: 0, user: USER }],
    ['expiresIn as a string', { token: 't', expiresIn: '3600', user: USER }],
    ['a user without an id', { token: 't', expiresIn: 3600, user: { ...USER, id: undefined } }],
    ['a numeric user id', { token: 't', expiresIn: 3600, user: { ...USER, id: 7 } }],
    ['a nickName of 0', { token: 't', expiresIn: 3600, user: { ...USER, nickName: 0 } }],
    ['an array', [{ token: 't', expiresIn: 3600, user: USER }]],
    ['HTML from a proxy', '<html>502</html>'],
  ])('the login answers %s: the error state with 重试, nothing stored', async (_case, body) => {
    platform.backend.on('POST /api/auth/login', () => ({ status: 200, body }), { public: true })
    const { session } = authOn(platform)
    await expect(platform.run(session.login())).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      status: 200,
    })
    expect(session.state).toMatchObject({ status: 'error', error: { code: 'BAD_RESPONSE' } })
    expect(platform.storage.size).toBe(0)
    // Not transient: a backend that answers garbage is not asked again and again.
    expect(platform.backend.count('POST /api/auth/login')).toBe(1)
    platform.backend.on(
      'POST /api/auth/login',
      (_req, backend) => ({ status: 200, body: backend.issue() }),
      { public: true },
    )
    await platform.run(session.login())
    expect(session.state).toEqual({ status: 'logged-in', user: USER })
  })

  it.each<[string, (a: ReturnType<typeof authOn>) => Promise<unknown>, unknown]>([
    ['GET /api/me', (a) => a.profile.refresh(), { user: null }],
    ['PUT /api/me/profile', (a) => a.profile.saveNickname('小明'), { nickName: '小明' }],
    ['POST /api/me/avatar', (a) => a.profile.uploadAvatar('wxfile://a.png'), { user: USER }],
  ])(
    '%s answers without what the contract promises: the user stays as it was',
    async (route, run, body) => {
      platform.storeSession()
      platform.backend.on(route, () => ({ status: 200, body }))
      const a = authOn(platform)
      const before = JSON.stringify([...platform.storage.values()])
      await expect(platform.run(run(a))).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
      expect(a.session.user).toEqual(USER)
      expect(JSON.stringify([...platform.storage.values()])).toBe(before)
    },
  )

  it.each<[string, () => Promise<ConsentOutcome<unknown>>, Reply]>([
    [
      'phone',
      () => authOn(platform).phone.submit(PHONE_TAP),
      { status: 200, body: { phoneNumber: '13800138000' } },
    ],
    [
      'user info',
      () => authOn(platform).userInfo.submit(USER_INFO_TAP),
      { status: 200, body: { userInfo: { avatarUrl: 'x' }, user: USER } },
    ],
  ])(
    'the %s button: an error with 重试, which sends the same payload again',
    async (name, submit, bad) => {
      platform.storeSession()
      const route = name === 'phone' ? 'POST /api/auth/phone' : 'POST /api/auth/userinfo'
      platform.backend.on(route, () => bad)
      const outcome = await platform.run(submit())
      expect(outcome).toMatchObject({ kind: 'error', error: { code: 'BAD_RESPONSE' } })
      expect(platform.storage.get('auth.session')).toMatchObject({ user: USER })
      const good =
        name === 'phone' ? PHONE : { userInfo: USER_INFO, user: { ...USER, nickName: 'Band' } }
      platform.backend.on(route, () => ({ status: 200, body: good }))
      if (outcome.kind !== 'error') throw new Error('no retry')
      expect(await platform.run(outcome.retry())).toMatchObject({ kind: 'ok' })
      const [first, second] = platform.backend.received.filter((r) => `POST ${r.path}` === route)
      expect(second.body).toEqual(first.body)
    },
  )
})
