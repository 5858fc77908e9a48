/**
 * The consent buttons (phone number, user info) in the auth module itself: what a tap's payload
 * costs when the session is old, dead or missing. Every successful phone tap is billed, so a tap
 * is never thrown away where the backend can still redeem its payload.
 */
import type { ConsentOutcome } from '../../miniprogram/auth/index'
import {
  authOn,
  error,
  FakePlatform,
  forbidRealTimers,
  PHONE,
  USER,
} from '../support/fake-platform'

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform()
  platform.backend.on('POST /api/auth/userinfo', () => ({
    status: 200,
    body: { userInfo: { nickName: 'Band', avatarUrl: 'https://example.com/b.png' }, user: USER },
  }))
})

const ENCRYPTED = { encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' }
/** Base library 2.21.2+: the code, and the legacy payload beside it. */
const FAST = { errMsg: 'getPhoneNumber:ok', code: 'phone-code', ...ENCRYPTED }
/** Below 2.21.2: only the payload sealed with the session_key. */
const LEGACY = { errMsg: 'getPhoneNumber:ok', ...ENCRYPTED }
/** The real-time button: a code only. */
const REALTIME = { errMsg: 'getRealtimePhoneNumber:ok', code: 'phone-code' }
const USER_INFO = {
  errMsg: 'getUserInfo:ok',
  ...ENCRYPTED,
  rawData: '{"nickName":"Band"}',
  signature: '0000',
}

const SKEW = 30_000

function phonePosts(): Array<{ token: string | null; body: unknown }> {
  return platform.backend.received
    .filter((r) => r.path === '/api/auth/phone')
    .map(({ token, body }) => ({ token, body }))
}

/** Since `from`: what the tap cost, in the order it happened. */
function since(from: number): string[] {
  return platform.log.slice(from)
}

describe('a tap in the last moments of the token (inside expirySkewMs)', () => {
  beforeEach(() => platform.storeSession('token-0', SKEW - 10_000))

  it.each([
    ['fast, with its code', FAST],
    ['legacy, encryptedData only', LEGACY],
    ['real-time', REALTIME],
  ])(
    'phone (%s): posts with the stored token, no wx.login before the answer',
    async (_k, detail) => {
      const { phone } = authOn(platform)
      const outcome = await platform.run(phone.submit(detail))
      expect(outcome).toEqual({ kind: 'ok', value: PHONE })
      expect(since(0)).toEqual(['POST /api/auth/phone'])
      expect(phonePosts()[0].token).toBe('token-0')
    },
  )

  it('user info: posts with the stored token, no wx.login before the answer', async () => {
    const { userInfo } = authOn(platform)
    const outcome = await platform.run(userInfo.submit(USER_INFO))
    expect(outcome.kind).toBe('ok')
    expect(platform.backend.lines()).toEqual(['POST /api/auth/userinfo token-0'])
    expect(platform.count('login')).toBe(0)
  })

  it('the server finds it expired (401): the login comes after the answer', async () => {
    platform.backend.tokens.delete('token-0')
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(LEGACY))
    expect(since(0)).toEqual(['POST /api/auth/phone', 'login', 'POST /api/auth/login'])
    expect(outcome).toMatchObject({ kind: 'retap', error: { code: 'UNAUTHORIZED' } })
  })
})

describe('a dead token at tap time: a payload that needs no session_key is sent again', () => {
  beforeEach(() => {
    platform.storeSession('dead')
    platform.backend.tokens.delete('dead')
  })

  it.each([
    ['fast (code and legacy payload)', FAST],
    ['real-time (code only)', REALTIME],
  ])('phone, %s: 401, a login, the same code once more — one tap', async (_k, detail) => {
    const { phone, session } = authOn(platform)
    const outcome = await platform.run(phone.submit(detail))
    expect(outcome).toEqual({ kind: 'ok', value: PHONE })
    expect(since(0)).toEqual([
      'POST /api/auth/phone',
      'login',
      'POST /api/auth/login',
      'POST /api/auth/phone',
    ])
    // The rest of the payload was sealed with a session_key the login may have replaced.
    expect(phonePosts()).toEqual([
      { token: 'dead', body: detailBody(detail) },
      { token: 'token-1', body: { code: 'phone-code' } },
    ])
    expect(session.user).toMatchObject({ phoneNumber: PHONE.phoneNumber })
  })

  it('phone, legacy payload only: it needs the key it was sealed with, so a login and 再点一次', async () => {
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(LEGACY))
    expect(outcome).toMatchObject({ kind: 'retap', error: { code: 'UNAUTHORIZED' } })
    expect(since(0)).toEqual(['POST /api/auth/phone', 'login', 'POST /api/auth/login'])
  })

  it('user info: decrypting and the signature need the session_key, so a login and 再点一次', async () => {
    const { userInfo } = authOn(platform)
    const outcome = await platform.run(userInfo.submit(USER_INFO))
    expect(outcome).toMatchObject({ kind: 'retap', error: { code: 'UNAUTHORIZED' } })
    expect(platform.backend.count('POST /api/auth/userinfo')).toBe(1)
  })

  it('sends again once only: a second 401 offers 重试, which logs in and sends the code again', async () => {
    platform.backend.on('POST /api/auth/phone', () => error(401, 'UNAUTHORIZED'))
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(FAST))
    expect(outcome).toMatchObject({ kind: 'error', error: { code: 'UNAUTHORIZED' } })
    expect(phonePosts()).toHaveLength(2)
    expect(platform.count('login')).toBe(1)
    platform.backend.on('POST /api/auth/phone', () => ({ status: 200, body: PHONE }))
    const retried = await platform.run(retryOf(outcome)())
    expect(retried).toEqual({ kind: 'ok', value: PHONE })
    expect(phonePosts().at(-1)).toEqual({ token: 'token-2', body: { code: 'phone-code' } })
    expect(platform.count('login')).toBe(2)
  })

  it('the login in between fails (offline): 重试 logs in and sends the same code, no new tap', async () => {
    platform.backend.on('POST /api/auth/login', () => ({ drop: true }))
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(FAST))
    expect(outcome).toMatchObject({ kind: 'error', error: { code: 'NETWORK_ERROR' } })
    platform.backend.on('POST /api/auth/login', (_req, backend) => ({
      status: 200,
      body: backend.issue(),
    }))
    expect(await platform.run(retryOf(outcome)())).toEqual({ kind: 'ok', value: PHONE })
    expect(phonePosts().map((p) => p.body)).toEqual([detailBody(FAST), { code: 'phone-code' }])
  })

  it('the code expired meanwhile: then, and only then, a new tap', async () => {
    platform.backend.on('POST /api/auth/phone', (req) =>
      req.token === 'dead' ? error(401, 'UNAUTHORIZED') : error(400, 'WECHAT_CODE_INVALID'),
    )
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(FAST))
    expect(outcome).toMatchObject({ kind: 'retap', error: { code: 'WECHAT_CODE_INVALID' } })
  })
})

describe('no session at all at tap time (logged out, or the launch login failed)', () => {
  it('phone with a code: logs in, then sends it — one tap', async () => {
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(FAST))
    expect(outcome).toEqual({ kind: 'ok', value: PHONE })
    expect(since(0)).toEqual(['login', 'POST /api/auth/login', 'POST /api/auth/phone'])
    expect(phonePosts()).toEqual([{ token: 'token-1', body: { code: 'phone-code' } }])
  })

  it('phone, legacy payload only: nothing is sent; a login, then 再点一次', async () => {
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(LEGACY))
    expect(outcome).toMatchObject({ kind: 'retap', error: { code: 'NOT_LOGGED_IN' } })
    expect(phonePosts()).toEqual([])
  })
})

function detailBody(detail: Record<string, string>): Record<string, string> {
  const body = { ...detail }
  delete body.errMsg
  return body
}

function retryOf<T>(outcome: ConsentOutcome<T>): () => Promise<ConsentOutcome<T>> {
  if (outcome.kind !== 'error') throw new Error(`no retry on a ${outcome.kind} outcome`)
  return outcome.retry
}

describe('an unspent payload is the auth module’s, not a page’s', () => {
  it('is held after a failure in transit, for any page to resend, until it is redeemed', async () => {
    platform.backend.on('POST /api/auth/phone', () => ({ drop: true }))
    const { phone } = authOn(platform)
    await platform.run(phone.submit(FAST))
    platform.backend.on('POST /api/auth/phone', () => ({ status: 200, body: PHONE }))
    // The page that showed the failure is gone: another one finds the payload and resends it.
    const held = phone.unspent()
    expect(held).toMatchObject({ kind: 'error', error: { code: 'NETWORK_ERROR' } })
    expect(await platform.run(held!.retry())).toEqual({ kind: 'ok', value: PHONE })
    // The same code both times (no session yet at the tap: the code alone, after a login).
    expect(phonePosts().map((p) => p.body)).toEqual([
      { code: 'phone-code' },
      { code: 'phone-code' },
    ])
    expect(phone.unspent()).toBeNull()
  })

  it('a resend that fails in transit again keeps it, with the first tap’s five minutes', async () => {
    platform.backend.on('POST /api/auth/phone', () => ({ drop: true }))
    const { phone } = authOn(platform)
    await platform.run(phone.submit(FAST))
    await platform.run(platform.sleep(4 * 60 * 1000))
    await platform.run(phone.unspent()!.retry())
    expect(phone.unspent()).not.toBeNull()
    await platform.run(platform.sleep(60 * 1000))
    // WeChat no longer honours it: no 重试 for it, the next tap brings a new one.
    expect(phone.unspent()).toBeNull()
  })

  it('is let go when the session ends: after 注销, the next account is never offered it', async () => {
    platform.backend.on('POST /api/auth/phone', () => ({ drop: true }))
    const auth = authOn(platform)
    await platform.run(auth.phone.submit(FAST))
    expect(auth.phone.unspent()).not.toBeNull()
    await platform.run(auth.account.deleteAccount())
    expect(auth.phone.unspent()).toBeNull()
  })

  it('is let go when the backend answers for good, and when a new tap comes', async () => {
    platform.backend.on('POST /api/auth/phone', () => ({ drop: true }))
    const { phone, userInfo } = authOn(platform)
    await platform.run(phone.submit(FAST))
    await platform.run(userInfo.submit(USER_INFO))
    expect(userInfo.unspent()).toBeNull()
    platform.backend.on('POST /api/auth/phone', () => error(400, 'WECHAT_CODE_INVALID'))
    await platform.run(phone.unspent()!.retry())
    expect(phone.unspent()).toBeNull()
    platform.backend.on('POST /api/auth/phone', () => ({ drop: true }))
    await platform.run(phone.submit(FAST))
    await platform.run(phone.submit({ errMsg: 'getPhoneNumber:fail user deny' }))
    expect(phone.unspent()).toBeNull()
  })
})

describe('a user-info event', () => {
  it('without rawData and signature, which WeChat always sends and the backend requires: nothing is sent', async () => {
    const { userInfo } = authOn(platform)
    const { errMsg, encryptedData, iv } = USER_INFO
    const outcome = await platform.run(userInfo.submit({ errMsg, encryptedData, iv }))
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'failed' })
    expect(platform.backend.count('POST /api/auth/userinfo')).toBe(0)
  })
})

describe('a phone code WeChat may have spent', () => {
  it.each([
    [503, 'WECHAT_UNAVAILABLE'],
    [502, 'WECHAT_BAD_ANSWER'],
  ])('%i %s asks for a new tap: the code is not kept to be sent again', async (status, code) => {
    platform.backend.on('POST /api/auth/phone', () => error(status, code))
    const { phone } = authOn(platform)
    const outcome = await platform.run(phone.submit(FAST))
    expect(outcome).toMatchObject({ kind: 'retap', error: { code }, afterLogin: false })
    expect(phone.unspent()).toBeNull()
    expect(phonePosts()).toHaveLength(1)
  })
})

describe('WeChat’s own refusals of this user', () => {
  it.each([
    [1402101, 'login-blocked'],
    [1421102, 'phone-blocked'],
  ])('errno %i is its own rejection, and nothing is sent', async (errno, reason) => {
    const { phone } = authOn(platform)
    const outcome = await platform.run(
      phone.submit({ errMsg: 'getPhoneNumber:fail user is blocked', errno }),
    )
    expect(outcome).toMatchObject({ kind: 'rejected', reason })
    expect(phonePosts()).toEqual([])
  })
})
