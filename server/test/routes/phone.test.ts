import { EMULATOR_APPID } from '../../../emulator'
import { describeWhenAvailable } from '../../../test/support/needs'
import {
  startTestServer,
  type ErrorAnswer,
  type TestServer,
  type TestServerOptions,
} from '../support/test-server'
import { keysUnder, onRedis, redisMissing } from '../support/redis'
import { sealOpenData } from '../../../common/open-data'
import { DECRYPTION_FAILURES_PER_HOUR } from '../../src/limits/decryption-budget'

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

  it('maps 45011 to 429, and -1 to 503 at once: a phone code is never sent twice', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'getuserphonenumber', errcode: 45011 })
    expect((await phone(token, { code: (await mint()).code })).body.error.code).toBe('RATE_LIMITED')
    await h.control.addFault({ api: 'getuserphonenumber', errcode: -1 })
    const busy = await phone(token, { code: (await mint()).code })
    expect(busy.status).toBe(503)
    expect(busy.body.error.code).toBe('WECHAT_UNAVAILABLE')
    expect((await calls()).getuserphonenumber).toBe(2)
  })

  it('never sends a phone code again after a timeout: 503, never WECHAT_CODE_INVALID', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'getuserphonenumber', latencyMs: 1000 })
    const reply = await phone(token, { code: (await mint()).code })
    expect(reply.status).toBe(503)
    expect(reply.body.error.code).toBe('WECHAT_UNAVAILABLE')
    expect((await calls()).getuserphonenumber).toBe(1)
  })

  it('retries stable_token, which carries no code: 503 only after three -1', async () => {
    const { token, mint } = await signedIn()
    await h.control.addFault({ api: 'stable_token', errcode: -1, times: 2 })
    expect((await phone(token, { code: (await mint()).code })).status).toBe(200)
    await h.control.retireAccessToken()
    await h.control.addFault({ api: 'stable_token', errcode: -1, times: 3 })
    const reply = await phone(token, { code: (await mint()).code })
    expect(reply.status).toBe(503)
    expect(reply.body.error.code).toBe('WECHAT_UNAVAILABLE')
    expect((await calls()).stable_token).toBe(6)
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

  /** A payload the test seals itself with the user's own key: what an attacker can send. */
  const sealed = async (openid: string, plaintext: string | Buffer, pad = true) =>
    sealOpenData(Buffer.from(plaintext), (await h.control.user(openid)).sessionKey, { pad })
  const watermark = () => ({ appid: EMULATOR_APPID, timestamp: Math.floor(h.now() / 1000) })
  const phoneFields = {
    phoneNumber: '13912345678',
    purePhoneNumber: '13912345678',
    countryCode: '86',
  }

  // Each way a payload can fail, made for a user of its own: [what, the payload].
  const failures: [string, (user: Awaited<ReturnType<typeof signedIn>>) => Promise<unknown>][] = [
    [
      "a '+' turned into a space",
      async ({ mint }) => {
        let minted = await mint()
        while (!minted.encryptedData.includes('+')) minted = await mint()
        return { encryptedData: minted.encryptedData.replaceAll('+', ' '), iv: minted.iv }
      },
    ],
    [
      'a stray character',
      async ({ mint }) => ({
        ...(await mint()),
        code: undefined,
        encryptedData: `*${(await mint()).encryptedData}`,
      }),
    ],
    [
      'an iv of 12 bytes',
      async ({ mint }) => ({ encryptedData: (await mint()).encryptedData, iv: 'AAAAAAAAAAAAAAAA' }),
    ],
    [
      'ciphertext of 40 bytes',
      async ({ mint }) => ({
        encryptedData: Buffer.alloc(40).toString('base64'),
        iv: (await mint()).iv,
      }),
    ],
    [
      'bad padding',
      ({ openid }) =>
        sealed(openid, Buffer.concat([Buffer.from('{"a":1}'), Buffer.alloc(9, 7)]), false),
    ],
    [
      'a plaintext that is not UTF-8',
      ({ openid }) => sealed(openid, Buffer.from([0xff, 0xfe, 0xfd])),
    ],
    ['a plaintext that is not JSON', ({ openid }) => sealed(openid, 'phoneNumber=13912345678')],
    ['a JSON array', ({ openid }) => sealed(openid, '[1,2]')],
    [
      'a phone number without purePhoneNumber',
      ({ openid }) =>
        sealed(
          openid,
          JSON.stringify({ phoneNumber: '13912345678', countryCode: '86', watermark: watermark() }),
        ),
    ],
    [
      'user info',
      async ({ openid }) => {
        const { encryptedData, iv } = await h.control.userInfo({ openid })
        return { encryptedData, iv }
      },
    ],
    [
      "another app's watermark",
      ({ openid }) =>
        sealed(
          openid,
          JSON.stringify({
            ...phoneFields,
            watermark: { ...watermark(), appid: 'wx0123456789abcdef' },
          }),
        ),
    ],
    [
      'a watermark 601 s old',
      ({ openid }) =>
        sealed(
          openid,
          JSON.stringify({
            ...phoneFields,
            watermark: { ...watermark(), timestamp: watermark().timestamp - 601 },
          }),
        ),
    ],
    [
      'a payload sealed with a key the server does not hold',
      async ({ openid, mint }) => {
        await h.control.rotateSessionKey(openid)
        const { encryptedData, iv } = await mint()
        return { encryptedData, iv }
      },
    ],
  ]

  it('answers every way a payload fails to open with one status, code and message, and says why only in the log', async () => {
    const answers = new Map<string, unknown>()
    for (const [what, make] of failures) {
      const user = await signedIn()
      const reply = await phone(user.token, await make(user))
      answers.set(what, { status: reply.status, body: reply.body })
      const me = await h.call<{ user: { phoneNumber: string | null } }>('GET', '/api/me', {
        token: user.token,
      })
      expect([what, me.body.user.phoneNumber]).toEqual([what, null])
    }
    const expected = {
      status: 409,
      body: { error: { code: 'SESSION_KEY_STALE', message: expect.any(String) } },
    }
    const first = answers.get(failures[0]![0])
    expect(first).toEqual(expected)
    for (const [what, answer] of answers) expect([what, answer]).toEqual([what, first])
    const reasons = h.logs
      .map((line) => JSON.parse(line) as { msg: string; reason?: string; detail?: string })
      .filter((line) => line.msg === 'open data refused')
    expect(reasons).toHaveLength(failures.length)
    expect(reasons[0]?.detail).toMatch(/form or query-string decoding/)
    expect(new Set(reasons.map((line) => line.reason))).toEqual(
      new Set(['malformed', 'undecryptable', 'content', 'watermark']),
    )
  })

  it('refuses body-shape errors before any decryption, as 400 INVALID_REQUEST', async () => {
    for (const json of [
      {},
      { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==' },
      { iv: 'AAAAAAAAAAAAAAAAAAAAAA==' },
      { code: 1 },
      { code: 'x', cloudID: 'y' },
      { encryptedData: 'A'.repeat(8193), iv: 'AAAAAAAAAAAAAAAAAAAAAA==' },
    ]) {
      const { token } = await signedIn()
      const reply = await phone(token, json)
      expect([json, reply.status, reply.body.error.code]).toEqual([json, 400, 'INVALID_REQUEST'])
    }
  })
})

describe("a user's budget of payloads that fail to open", () => {
  // Sealed with a key WeChat gave the user after the server's (a login elsewhere).
  const stalePayload = async (user: Awaited<ReturnType<typeof signedIn>>) => {
    await h.control.rotateSessionKey(user.openid)
    const { encryptedData, iv } = await user.mint()
    return { encryptedData, iv }
  }

  it(`is ${DECRYPTION_FAILURES_PER_HOUR} an hour: past it, even a good payload is not tried, for that user only`, async () => {
    const mallory = await signedIn()
    const failed: number[] = []
    for (let i = 0; i < DECRYPTION_FAILURES_PER_HOUR; i++) {
      failed.push((await phone(mallory.token, await stalePayload(mallory))).status)
    }
    expect(failed).toEqual(Array(DECRYPTION_FAILURES_PER_HOUR).fill(409))
    // Signed in again, with a payload sealed with the key the server now holds.
    const { token } = await h.login(mallory.openid)
    const good = await mallory.mint()
    const refused = await phone(token, { encryptedData: good.encryptedData, iv: good.iv })
    expect(refused.status).toBe(429)
    expect(refused.body.error).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/retry in 60 min/),
    })
    // Not a refusal of the route: another user's payload, and Mallory's phone code, still work.
    const alice = await signedIn()
    const hers = await alice.mint()
    expect(
      (await phone(alice.token, { encryptedData: hers.encryptedData, iv: hers.iv })).status,
    ).toBe(200)
    expect((await phone(token, { code: good.code })).status).toBe(200)
    // An hour later, the budget is whole again.
    h.advance(3600 * 1000)
    const later = await mallory.mint()
    expect((await phone(token, { encryptedData: later.encryptedData, iv: later.iv })).status).toBe(
      200,
    )
  })

  it('counts only failures: payloads that open cost nothing', async () => {
    const { token, mint } = await signedIn()
    for (let i = 0; i < DECRYPTION_FAILURES_PER_HOUR * 2; i++) {
      const { encryptedData, iv } = await mint()
      expect((await phone(token, { encryptedData, iv })).status).toBe(200)
    }
  })

  it('holds against concurrent attempts: no more than the budget is ever tried', async () => {
    const mallory = await signedIn()
    const payloads = await Promise.all(
      Array.from({ length: 30 }, () =>
        sealOpenDataFor(
          mallory.openid,
          Buffer.concat([Buffer.from('{"a":1}'), Buffer.alloc(9, 7)]),
        ),
      ),
    )
    const replies = await Promise.all(payloads.map((payload) => phone(mallory.token, payload)))
    const tried = h.logs.filter((line) => line.includes('"open data refused"'))
    expect(tried).toHaveLength(DECRYPTION_FAILURES_PER_HOUR)
    expect(replies.filter((reply) => reply.status === 429)).toHaveLength(
      30 - DECRYPTION_FAILURES_PER_HOUR,
    )
  })

  const sealOpenDataFor = async (openid: string, plaintext: Buffer) =>
    sealOpenData(plaintext, (await h.control.user(openid)).sessionKey, { pad: false })
})
