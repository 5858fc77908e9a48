import { EMULATOR_APPID } from '../../../emulator'
import { describeWhenAvailable } from '../../../test/support/needs'
import {
  startTestServer,
  type ErrorAnswer,
  type TestServer,
  type TestServerOptions,
} from '../support/test-server'
import { keysUnder, onRedis, redisMissing } from '../support/redis'

let h: TestServer
/** Each test's server: in-process state by default, or on Redis. */
let serverOptions: () => TestServerOptions = () => ({})

beforeEach(async () => {
  h = await startTestServer(serverOptions())
})

afterEach(async () => {
  await h.close()
})

interface PhoneAnswer {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
}

const calls = async (): Promise<Record<string, number>> =>
  (await h.call<{ calls: Record<string, number> }>('GET', '/__wechat/control/stats')).body.calls

const phone = (token: string, json: unknown) =>
  h.call<PhoneAnswer & ErrorAnswer>('POST', '/api/auth/phone', { token, json })

async function signedIn() {
  const user = await h.login()
  const mint = (json: object = {}) => h.control.phone({ openid: user.openid, ...json })
  return { ...user, mint }
}

describe('POST /api/auth/phone with a code', () => {
  it('asks WeChat for the number and stores it on the user', async () => {
    const { token, mint } = await signedIn()
    const { code } = await mint({ phoneNumber: '13912345678' })
    const reply = await phone(token, { code })
    expect(reply.status).toBe(200)
    // WeChat sends countryCode as the number 86 here; the answer is always a string.
    expect(reply.body).toEqual({
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
      countryCode: '86',
    })
    const me = await h.call<{ user: { phoneNumber: string } }>('GET', '/api/me', { token })
    expect(me.body.user.phoneNumber).toBe('13912345678')
  })

  it('keeps the area code of a number outside mainland China', async () => {
    const { token, mint } = await signedIn()
    const { code } = await mint({ phoneNumber: '2025550123', countryCode: '1' })
    const reply = await phone(token, { code })
    expect(reply.body).toEqual({
      phoneNumber: '+12025550123',
      purePhoneNumber: '2025550123',
      countryCode: '1',
    })
  })

  it('prefers the code when the event also carried the legacy payload', async () => {
    const { token, mint } = await signedIn()
    const minted = await mint()
    expect((await phone(token, minted)).status).toBe(200)
    expect((await calls()).getuserphonenumber).toBe(1)
  })

  it('refuses a used code, and a code issued to another user, as WECHAT_CODE_INVALID', async () => {
    const alice = await signedIn()
    const bob = await signedIn()
    const { code } = await alice.mint()
    expect((await phone(alice.token, { code })).status).toBe(200)
    const again = await phone(alice.token, { code })
    expect(again.status).toBe(400)
    expect(again.body.error.code).toBe('WECHAT_CODE_INVALID')
    const stolen = await phone(bob.token, { code: (await alice.mint()).code })
    expect(stolen.status).toBe(400)
    expect(stolen.body.error.code).toBe('WECHAT_CODE_INVALID')
  })

  it('maps 45011 to 429 and -1 after the retries to 503', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'getuserphonenumber', errcode: 45011 })
    expect((await phone(token, { code: (await mint()).code })).body.error.code).toBe('RATE_LIMITED')
    await h.control.addFault({ api: 'getuserphonenumber', errcode: -1, times: 3 })
    const busy = await phone(token, { code: (await mint()).code })
    expect(busy.status).toBe(503)
    expect(busy.body.error.code).toBe('WECHAT_UNAVAILABLE')
  })

  it('answers 503 when stable_token is unavailable', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'stable_token', errcode: -1, times: 3 })
    const reply = await phone(token, { code: (await mint()).code })
    expect(reply.status).toBe(503)
    expect(reply.body.error.code).toBe('WECHAT_UNAVAILABLE')
  })
})

function accessTokenTests(): void {
  it('is fetched once and shared by concurrent callers', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => signedIn()))
    const codes = await Promise.all(users.map(async (u) => (await u.mint()).code))
    const replies = await Promise.all(users.map((u, i) => phone(u.token, { code: codes[i] })))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect((await calls()).stable_token).toBe(1)
  })

  it('is refreshed ahead of its expiry, not at every call', async () => {
    const { token, mint } = await signedIn()
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    h.advance(6000 * 1000)
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    expect((await calls()).stable_token).toBe(1)
    // WeChat's tokens live 7200 s; the server refreshes in the last 300.
    h.advance(1000 * 1000)
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    expect((await calls()).stable_token).toBe(2)
  })

  it('keeps its token while an early refresh fails, and tries again only later', async () => {
    const { token, mint } = await signedIn()
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    // In the token's last 300 s, with stable_token down for one refresh (three attempts).
    h.advance(7000 * 1000)
    await h.control.addFault({ api: 'stable_token', errcode: -1, times: 3 })
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    expect((await calls()).stable_token).toBe(4)
    // Not every call pays for another failing refresh.
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    expect((await calls()).stable_token).toBe(4)
    h.advance(30_000)
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    expect((await calls()).stable_token).toBe(5)
  })

  it.each([40001, 42001, 40014])(
    'is refreshed once, and the call retried once, on errcode %i',
    async (errcode) => {
      const { token, mint } = await signedIn()
      expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
      await h.control.addFault({ api: 'getuserphonenumber', errcode })
      const reply = await phone(token, { code: (await mint()).code })
      expect(reply.status).toBe(200)
      expect(await calls()).toMatchObject({ stable_token: 2, getuserphonenumber: 3 })
    },
  )

  it('is replaced when WeChat retires it, by one refresh for all waiting callers', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => signedIn()))
    expect((await phone(users[0]!.token, { code: (await users[0]!.mint()).code })).status).toBe(200)
    await h.control.retireAccessToken()
    const codes = await Promise.all(users.map(async (u) => (await u.mint()).code))
    const replies = await Promise.all(users.map((u, i) => phone(u.token, { code: codes[i] })))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect((await calls()).stable_token).toBe(2)
  })

  it('is refreshed only once: a second rejection is a 502', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'getuserphonenumber', errcode: 40001, times: 2 })
    const reply = await phone(token, { code: (await mint()).code })
    expect(reply.status).toBe(502)
    expect(reply.body.error.code).toBe('WECHAT_ERROR')
    expect(await calls()).toMatchObject({ stable_token: 2, getuserphonenumber: 2 })
  })
}

describe('the access token', accessTokenTests)

describeWhenAvailable('the access token in Redis (REDIS_URL)', redisMissing, () => {
  let redis: ReturnType<typeof onRedis>
  beforeAll(() => {
    serverOptions = () => (redis = onRedis())
  })
  afterAll(() => {
    serverOptions = () => ({})
  })

  accessTokenTests()

  it('is kept in Redis, where every instance of the mini-program finds it', async () => {
    const { token, mint } = await signedIn()
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    const keys = await keysUnder(redis.config.redis?.url ?? '', redis.redisKeyPrefix)
    expect(Object.keys(keys)).toEqual([`wechat-access-token:${EMULATOR_APPID}`])
    const stored = JSON.parse(keys[`wechat-access-token:${EMULATOR_APPID}`] ?? '')
    expect(stored).toEqual({
      token: expect.any(String),
      refreshAt: expect.any(Number),
      expiresAt: expect.any(Number),
    })
    // The token the emulator takes: a phone call with it needs no stable_token of its own.
    const again = await h.call<{ errcode: number }>(
      'POST',
      `/__wechat/wxa/business/getuserphonenumber?access_token=${stored.token}`,
      { json: { code: (await mint()).code } },
    )
    expect(again.body.errcode).toBe(0)
  })
})

describe('POST /api/auth/phone with encryptedData and iv', () => {
  it('decrypts the number with the user’s session_key and stores it', async () => {
    const { token, mint } = await signedIn()
    const { encryptedData, iv } = await mint({ phoneNumber: '13700001111' })
    const reply = await phone(token, { encryptedData, iv })
    expect(reply.status).toBe(200)
    // The legacy payload carries countryCode as the string "86".
    expect(reply.body).toEqual({
      phoneNumber: '13700001111',
      purePhoneNumber: '13700001111',
      countryCode: '86',
    })
    expect((await calls()).getuserphonenumber).toBe(0)
    const me = await h.call<{ user: { phoneNumber: string } }>('GET', '/api/me', { token })
    expect(me.body.user.phoneNumber).toBe('13700001111')
  })

  it('answers 409 SESSION_KEY_STALE when a wx.login after the tap rotated the key', async () => {
    const { openid, mint } = await signedIn()
    const { encryptedData, iv } = await mint()
    const { token } = await h.login(openid)
    const reply = await phone(token, { encryptedData, iv })
    expect(reply.status).toBe(409)
    expect(reply.body.error.code).toBe('SESSION_KEY_STALE')
  })

  it('answers 409 when WeChat rotated the key (a login elsewhere)', async () => {
    const { token, openid, mint } = await signedIn()
    await h.control.rotateSessionKey(openid)
    const reply = await phone(
      token,
      await mint().then(({ encryptedData, iv }) => ({ encryptedData, iv })),
    )
    expect(reply.status).toBe(409)
  })

  it('answers 400 WATERMARK_INVALID for a payload older than WATERMARK_MAX_AGE_S', async () => {
    const { token, mint } = await signedIn()
    const { encryptedData, iv } = await mint()
    h.advance(601 * 1000)
    const reply = await phone(token, { encryptedData, iv })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('WATERMARK_INVALID')
  })

  it("says so when a '+' arrived as a space", async () => {
    const { token, mint } = await signedIn()
    let minted = await mint()
    while (!minted.encryptedData.includes('+')) minted = await mint()
    const reply = await phone(token, {
      encryptedData: minted.encryptedData.replaceAll('+', ' '),
      iv: minted.iv,
    })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
    expect(reply.body.error.message).toMatch(/form or query-string decoding/)
  })

  it('refuses user info sent as a phone number', async () => {
    const { token, openid } = await signedIn()
    const info = await h.control.userInfo({ openid })
    const reply = await phone(token, { encryptedData: info.encryptedData, iv: info.iv })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })

  it.each([
    ['nothing', {}],
    ['encryptedData without iv', { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
    ['iv without encryptedData', { iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
    ['an iv of 12 bytes', { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAA' }],
    ['a code that is a number', { code: 1 }],
    ['cloudID, which the server does not take', { code: 'x', cloudID: 'y' }],
  ])('refuses %s as 400 INVALID_REQUEST', async (_case, json) => {
    const { token } = await signedIn()
    const reply = await phone(token, json)
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })
})
