/**
 * A backend that wraps every answer in `{ code, data, msg }` (HTTP 200 even for errors), used
 * through createConfig's adaptAnswer hook — the hook the README shows, word for word — without
 * touching the contract: the module logs in, binds a phone number, logs in again on the team's
 * "token expired" code, and still refuses an answer that is not what the contract says.
 */
import { errorAnswer, type AdaptAnswer, type AuthConfig } from '../../miniprogram/auth/index'
import type { HttpAnswer } from '../../miniprogram/auth/platform'
import type { ErrorCode } from '../../miniprogram/contract/errors'
import { EnvelopeBackend } from '../support/envelope-backend'
import {
  authOn,
  error,
  FakePlatform,
  forbidRealTimers,
  PHONE,
  USER,
} from '../support/fake-platform'

// ---- The README's example (Use it in your own mini-program › A backend with answers of its own)

// The backend answers HTTP 200 with { code, data, msg } for everything; code 0 is a success.
const TEAM_ERRORS: Record<number, ErrorCode> = {
  40101: 'UNAUTHORIZED', // the token expired: the module logs in again and replays the request
  40001: 'WECHAT_CODE_INVALID',
  40901: 'SESSION_KEY_STALE',
}

const envelope: AdaptAnswer = ({ statusCode, data }) => {
  const body = data as { code?: unknown; data?: unknown; msg?: unknown } | null
  // Not an envelope (a gateway's error page, say): left as it came.
  if (typeof body !== 'object' || body === null || typeof body.code !== 'number') {
    return { statusCode, data }
  }
  if (body.code === 0) return { statusCode, data: body.data }
  const message = typeof body.msg === 'string' ? body.msg : ''
  const code = TEAM_ERRORS[body.code]
  return code ? errorAnswer(code, message) : errorAnswer(`TEAM_${body.code}`, message, 400)
}

// ----

let platform: FakePlatform

forbidRealTimers()

beforeEach(() => {
  platform = new FakePlatform((clock) => new EnvelopeBackend(clock))
})

function auth(config: Partial<AuthConfig> = { adaptAnswer: envelope }) {
  return authOn(platform, config)
}

it('logs in silently: the token and the user come out of the envelope', async () => {
  const { session } = auth()
  session.start()
  await platform.run(session.ensure())
  expect(session.state).toEqual({ status: 'logged-in', user: USER })
  expect(platform.storage.get('auth.session')).toMatchObject({ token: 'token-1', user: USER })
})

it('binds a phone number', async () => {
  const { session, phone } = auth()
  await platform.run(session.login())
  const outcome = await platform.run(phone.submit({ errMsg: 'getPhoneNumber:ok', code: 'c' }))
  expect(outcome).toEqual({ kind: 'ok', value: PHONE })
  expect(session.user!.phoneNumber).toBe(PHONE.phoneNumber)
})

it("the team's token-expired code (HTTP 200) logs in again and replays the request once", async () => {
  const { session, requester } = auth()
  await platform.run(session.login())
  platform.backend.tokens.clear()
  const answer = await platform.run(requester.request({ path: '/api/me' }))
  expect(answer).toEqual({ user: USER })
  expect(platform.backend.lines()).toEqual([
    'POST /api/auth/login null',
    'GET /api/me token-1',
    'POST /api/auth/login null',
    'GET /api/me token-2',
  ])
})

it("a contract error in the team's code is the contract's: a stale session_key asks for a new tap", async () => {
  const { session, phone } = auth()
  await platform.run(session.login())
  platform.backend.on('POST /api/auth/phone', () => error(409, 'SESSION_KEY_STALE'))
  const outcome = await platform.run(
    phone.submit({ errMsg: 'getPhoneNumber:ok', encryptedData: 'ZW5j', iv: 'aXY=' }),
  )
  expect(outcome).toMatchObject({ kind: 'retap', afterLogin: true })
  expect(outcome.kind === 'retap' && outcome.error.code).toBe('SESSION_KEY_STALE')
})

it("a code of the team's own reaches the caller as it is, with the status the hook gave it", async () => {
  const { session, requester } = auth()
  await platform.run(session.login())
  platform.backend.on('GET /api/orders', () => error(400, 'ORDER_CLOSED'))
  const failure = platform.run(requester.request({ path: '/api/orders' }))
  await expect(failure).rejects.toMatchObject({
    code: 'TEAM_50000',
    status: 400,
    message: 'ORDER_CLOSED',
  })
})

it('what the hook hands on is still read against the contract: a login without a user is BAD_RESPONSE', async () => {
  platform.backend.on(
    'POST /api/auth/login',
    () => ({ status: 200, body: { token: 't', expiresIn: 60 } }),
    { public: true },
  )
  const { session } = auth()
  await expect(platform.run(session.login())).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
  expect(platform.storage.has('auth.session')).toBe(false)
})

it('without the hook the same backend is not the contract: nothing of its login is kept', async () => {
  const { session } = auth({})
  await expect(platform.run(session.login())).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
  expect(session.state.status).toBe('error')
})

it.each([
  [
    'throws',
    () => {
      throw new Error('unexpected envelope')
    },
    'adaptAnswer failed on /api/auth/login: unexpected envelope',
  ],
  [
    'returns nothing (from JavaScript)',
    () => undefined as unknown as HttpAnswer,
    'adaptAnswer returned no { statusCode, data } for /api/auth/login',
  ],
])(
  'a hook that %s is a BAD_RESPONSE naming it, not a crash',
  async (_what, adaptAnswer, message) => {
    const { session } = auth({ adaptAnswer })
    await expect(platform.run(session.login())).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message,
    })
  },
)
