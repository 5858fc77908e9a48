import { EMULATOR_APPID, EMULATOR_SECRET, DEFAULT_EMULATOR_LIMITS, PREVIEW_OPENID } from '..'
import { createHmac } from 'node:crypto'
import { decryptOpenData, verifySignature } from '../../common/open-data'
import { WechatEmulator } from '../emulator'
import { startTestServer, type TestServer } from '../../server/test/support/test-server'

// WeChat's side, as the server sees it: shapes and errcodes of the four APIs.

type Answer = Record<string, unknown> & { errcode?: number; errmsg?: string }

let h: TestServer

afterEach(async () => {
  await h.close()
})

const wechat = async (
  path: string,
  init: { query?: Record<string, string>; json?: unknown } = {},
) => {
  const query = new URLSearchParams(init.query).toString()
  const reply = await h.call<Answer>(
    init.json === undefined ? 'GET' : 'POST',
    `/__wechat${path}?${query}`,
    {
      json: init.json,
    },
  )
  expect(reply.status).toBe(200)
  return reply.body
}

const credentials = { appid: EMULATOR_APPID, secret: EMULATOR_SECRET }

const code2Session = (jsCode: string, overrides: Record<string, string> = {}) =>
  wechat('/sns/jscode2session', {
    query: { ...credentials, js_code: jsCode, grant_type: 'authorization_code', ...overrides },
  })

const stableToken = (extra: Record<string, unknown> = {}) =>
  wechat('/cgi-bin/stable_token', {
    json: { grant_type: 'client_credential', ...credentials, ...extra },
  })

const classicToken = (overrides: Record<string, string> = {}) =>
  wechat('/cgi-bin/token', {
    query: { grant_type: 'client_credential', ...credentials, ...overrides },
  })

const tokenOf = (answer: Answer): string => {
  if (typeof answer.access_token !== 'string') throw new Error(JSON.stringify(answer))
  return answer.access_token
}

const phoneNumber = (accessToken: string, json: unknown) =>
  wechat('/wxa/business/getuserphonenumber', { query: { access_token: accessToken }, json })

const mintLogin = (json: object = {}) => h.control.login(json)

/** What getuserphonenumber makes of a token: 0 when it works, else WeChat's errcode for it. */
const tokenStatus = async (token: string): Promise<number> => {
  const answer = await phoneNumber(token, { code: 'not-a-phone-code' })
  return answer.errcode === 40029 ? 0 : (answer.errcode ?? 0)
}

describe('the strict emulator', () => {
  beforeEach(async () => {
    h = await startTestServer()
  })

  describe('jscode2session', () => {
    it('answers openid and session_key (and unionid when bound), without errcode', async () => {
      const { code, openid } = await mintLogin({ unionid: 'oUnion1' })
      const answer = await code2Session(code)
      expect(answer).toEqual({
        openid,
        session_key: h.emulator.control.sessionKeyOf(openid),
        unionid: 'oUnion1',
      })
      expect(Buffer.from(String(answer.session_key), 'base64')).toHaveLength(16)
      expect(openid).toMatch(/^o[\w-]{27}$/)
    })

    it('gives the user a new session_key at each wx.login', async () => {
      const first = await mintLogin()
      const key = (await code2Session(first.code)).session_key
      const second = await mintLogin({ openid: first.openid })
      expect((await code2Session(second.code)).session_key).not.toBe(key)
    })

    it('takes each code once, for five minutes', async () => {
      const { code } = await mintLogin()
      expect((await code2Session(code)).openid).toBeDefined()
      expect(await code2Session(code)).toMatchObject({ errcode: 40163, errmsg: /^code been used/ })
      expect(await code2Session('unknown')).toMatchObject({ errcode: 40029 })
      const late = await mintLogin()
      h.advance(5 * 60_000 + 1)
      expect(await code2Session(late.code)).toMatchObject({ errcode: 40029 })
    })

    it.each([
      ['no appid', 41002, { appid: '' }],
      ['no secret', 41004, { secret: '' }],
      ['another appid', 40013, { appid: 'wx1111111111111111' }],
      ['a wrong secret', 40125, { secret: 'wrong' }],
      ['no code', 41008, { js_code: '' }],
      ['another grant_type', 40002, { grant_type: 'client_credential' }],
    ])('answers %s with errcode %i', async (_case, errcode, overrides) => {
      const { code } = await mintLogin()
      expect(await code2Session(code, overrides)).toMatchObject({ errcode })
    })
  })

  describe('stable_token', () => {
    it('hands out one token for its lifetime, and the next in its last five minutes', async () => {
      const first = await stableToken()
      expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 })
      h.advance(6000 * 1000)
      expect(await stableToken()).toEqual({ access_token: first.access_token, expires_in: 1200 })
      h.advance(1000 * 1000)
      const next = await stableToken()
      expect(next.access_token).not.toBe(first.access_token)
      expect(next.expires_in).toBe(7200)
    })

    it('forces a new token on force_refresh, and refuses bad credentials', async () => {
      const first = await stableToken()
      expect((await stableToken({ force_refresh: true })).access_token).not.toBe(first.access_token)
      expect(await stableToken({ secret: 'wrong' })).toMatchObject({ errcode: 40125 })
      expect(await stableToken({ grant_type: 'authorization_code' })).toMatchObject({
        errcode: 40002,
      })
    })

    it('keeps the token before a forced refresh working for five minutes', async () => {
      const leaked = tokenOf(await stableToken())
      h.advance(60_000)
      const fresh = tokenOf(await stableToken({ force_refresh: true }))
      expect(fresh).not.toBe(leaked)
      expect(await stableToken()).toMatchObject({ access_token: fresh, expires_in: 7200 })
      h.advance(300_000 - 1)
      expect(await tokenStatus(leaked)).toBe(0)
      h.advance(1)
      expect(await tokenStatus(leaked)).toBe(40001)
      expect(await tokenStatus(fresh)).toBe(0)
    })

    it('refreshes at most every 30 s; two forced refreshes 30 s apart kill a leaked token', async () => {
      const leaked = tokenOf(await stableToken())
      const second = tokenOf(await stableToken({ force_refresh: true }))
      h.advance(29_999)
      expect(tokenOf(await stableToken({ force_refresh: true }))).toBe(second)
      expect(await tokenStatus(leaked)).toBe(0)
      h.advance(1)
      const third = tokenOf(await stableToken({ force_refresh: true }))
      expect(third).not.toBe(second)
      expect(await tokenStatus(leaked)).toBe(40001)
      expect(await tokenStatus(second)).toBe(0)
      expect(await tokenStatus(third)).toBe(0)
    })
  })

  describe('token (the classic GET /cgi-bin/token)', () => {
    it('hands out a new token at each call; the one before works five more minutes', async () => {
      const first = await classicToken()
      expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 })
      h.advance(1000)
      const second = await classicToken()
      expect(second).toEqual({ access_token: expect.any(String), expires_in: 7200 })
      expect(second.access_token).not.toBe(first.access_token)
      h.advance(300_000 - 1)
      expect(await tokenStatus(tokenOf(first))).toBe(0)
      h.advance(1)
      expect(await tokenStatus(tokenOf(first))).toBe(40001)
      expect(await tokenStatus(tokenOf(second))).toBe(0)
      h.advance(7200_000 - 300_000)
      expect(await tokenStatus(tokenOf(second))).toBe(42001)
    })

    it('ends the token before the previous one at once', async () => {
      const first = tokenOf(await classicToken())
      const second = tokenOf(await classicToken())
      expect(await tokenStatus(first)).toBe(0)
      const third = tokenOf(await classicToken())
      expect(await tokenStatus(first)).toBe(40001)
      expect(await tokenStatus(second)).toBe(0)
      expect(await tokenStatus(third)).toBe(0)
    })

    it('is isolated from stable_token, either way', async () => {
      const stable = tokenOf(await stableToken())
      const classic = [tokenOf(await classicToken())]
      for (let i = 0; i < 3; i++) classic.push(tokenOf(await classicToken()))
      expect(await tokenStatus(stable)).toBe(0)
      expect(tokenOf(await stableToken())).toBe(stable)
      const latest = classic.at(-1)!
      tokenOf(await stableToken({ force_refresh: true }))
      h.advance(30_000)
      tokenOf(await stableToken({ force_refresh: true }))
      expect(await tokenStatus(stable)).toBe(40001)
      expect(await tokenStatus(latest)).toBe(0)
    })

    it.each([
      ['no grant_type', 40002, { grant_type: '' }],
      ['another grant_type', 40002, { grant_type: 'authorization_code' }],
      ['no appid', 41002, { appid: '' }],
      ['no secret', 41004, { secret: '' }],
      ['another appid', 40013, { appid: 'wx1111111111111111' }],
      ['a wrong secret', 40125, { secret: 'wrong' }],
    ])('answers %s with errcode %i', async (_case, errcode, overrides) => {
      expect(await classicToken(overrides)).toMatchObject({
        errcode,
        errmsg: expect.stringMatching(/, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
      })
    })
  })

  describe('tokens of both kinds', () => {
    it('work on getuserphonenumber and checksession, retire together and are counted', async () => {
      const { code, openid } = await mintLogin()
      const key = String((await code2Session(code)).session_key)
      const signature = createHmac('sha256', key).update('').digest('hex')
      const tokens = [tokenOf(await classicToken()), tokenOf(await stableToken())]
      for (const token of tokens) {
        const phone = await h.control.phone({ openid })
        expect(await phoneNumber(token, { code: phone.code, openid })).toMatchObject({ errcode: 0 })
        const check = await wechat('/wxa/checksession', {
          query: { access_token: token, openid, signature, sig_method: 'hmac_sha256' },
        })
        expect(check).toEqual({ errcode: 0, errmsg: 'ok' })
      }
      await h.control.retireAccessToken()
      for (const token of tokens) expect(await tokenStatus(token)).toBe(40001)
      const stats = await h.call<{ calls: Record<string, number> }>(
        'GET',
        '/__wechat/control/stats',
      )
      expect(stats.body.calls).toMatchObject({ token: 1, stable_token: 1, checksession: 2 })
    })
  })

  describe('getuserphonenumber', () => {
    it('answers phone_info with a numeric countryCode and a watermark', async () => {
      const { openid } = await mintLogin()
      const { code } = await h.control.phone({ openid })
      const { access_token: token } = await stableToken()
      expect(await phoneNumber(String(token), { code, openid })).toEqual({
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: '13800138000',
          purePhoneNumber: '13800138000',
          countryCode: 86,
          watermark: { appid: EMULATOR_APPID, timestamp: expect.any(Number) },
        },
      })
      expect(await phoneNumber(String(token), { code, openid })).toMatchObject({ errcode: 40029 })
    })

    it('checks the code was issued to the openid given', async () => {
      const { openid } = await mintLogin()
      const { code } = await h.control.phone({ openid })
      const { access_token: token } = await stableToken()
      expect(await phoneNumber(String(token), { code, openid: 'oSomeoneElse' })).toMatchObject({
        errcode: 40029,
      })
    })

    it('refuses missing, unknown, retired and expired access tokens', async () => {
      const { openid } = await mintLogin()
      const mint = async () => (await h.control.phone({ openid })).code
      expect(await phoneNumber('', { code: await mint() })).toMatchObject({ errcode: 41001 })
      expect(await phoneNumber('bogus', { code: await mint() })).toMatchObject({ errcode: 40014 })
      const first = String((await stableToken()).access_token)
      await h.control.retireAccessToken()
      expect(await phoneNumber(first, { code: await mint() })).toMatchObject({ errcode: 40001 })
      const second = String((await stableToken()).access_token)
      expect(second).not.toBe(first)
      h.advance(7200 * 1000)
      expect(await phoneNumber(second, { code: await mint() })).toMatchObject({ errcode: 42001 })
    })
  })

  describe('checksession', () => {
    it('checks hmac_sha256 keyed with the session_key string, over an empty body', async () => {
      const { code, openid } = await mintLogin()
      const key = String((await code2Session(code)).session_key)
      const token = String((await stableToken()).access_token)
      const check = (signature: string, sigMethod = 'hmac_sha256') =>
        wechat('/wxa/checksession', {
          query: { access_token: token, openid, signature, sig_method: sigMethod },
        })
      const signature = createHmac('sha256', key).update('').digest('hex')
      expect(await check(signature)).toEqual({ errcode: 0, errmsg: 'ok' })
      const decodedKey = createHmac('sha256', Buffer.from(key, 'base64')).update('').digest('hex')
      expect(await check(decodedKey)).toMatchObject({ errcode: 87009 })
      expect(await check(signature, 'sha1')).toMatchObject({ errcode: 87008 })
      await h.control.rotateSessionKey(openid)
      expect(await check(signature)).toMatchObject({ errcode: 87009 })
    })
  })

  describe('the control API', () => {
    it('mints a phone payload encrypted with the user’s current session_key', async () => {
      const { openid } = await mintLogin()
      const minted = await h.control.phone({
        openid,
        phoneNumber: '2025550123',
        countryCode: '1',
      })
      const data = decryptOpenData(
        h.emulator.control.sessionKeyOf(openid) ?? '',
        minted.encryptedData,
        minted.iv,
      )
      expect(data).toEqual({
        phoneNumber: '+12025550123',
        purePhoneNumber: '2025550123',
        countryCode: '1',
        watermark: { appid: EMULATOR_APPID, timestamp: expect.any(Number) },
      })
    })

    it('mints user info as a getuserinfo event carries it', async () => {
      const { openid } = await mintLogin({ unionid: 'oUnion2' })
      const minted = await h.control.userInfo({ openid, nickName: 'Band' })
      const key = h.emulator.control.sessionKeyOf(openid) ?? ''
      expect(verifySignature(minted.rawData, minted.signature, key)).toBe(true)
      expect(JSON.parse(minted.rawData)).toMatchObject({ nickName: 'Band' })
      expect(decryptOpenData(key, minted.encryptedData, minted.iv)).toMatchObject({
        openId: openid,
        unionId: 'oUnion2',
        nickName: 'Band',
        watermark: { appid: EMULATOR_APPID },
      })
    })

    it('plays faults in order, each for its number of calls, with their latency', async () => {
      await h.control.addFault({ api: 'jscode2session', errcode: 45011, times: 2 })
      await h.control.addFault({ api: 'jscode2session', errcode: -1, latencyMs: 20 })
      const { code } = await mintLogin()
      expect(await code2Session(code)).toMatchObject({ errcode: 45011, errmsg: /minute-quota/ })
      expect(await code2Session(code)).toMatchObject({ errcode: 45011 })
      expect(await code2Session(code)).toMatchObject({ errcode: -1 })
      expect((await code2Session(code)).openid).toBeDefined()
      const stats = await h.call<{ calls: Record<string, number> }>(
        'GET',
        '/__wechat/control/stats',
      )
      expect(stats.body.calls).toEqual({
        jscode2session: 4,
        token: 0,
        stable_token: 0,
        getuserphonenumber: 0,
        checksession: 0,
      })
    })

    it('drops the queued faults on DELETE /faults, keeping codes and counts', async () => {
      await h.control.addFault({ api: 'jscode2session', errcode: -1, times: 1000 })
      const { code } = await mintLogin()
      expect(await code2Session(code)).toMatchObject({ errcode: -1 })
      expect((await h.call('DELETE', '/__wechat/control/faults')).status).toBe(200)
      expect((await code2Session(code)).openid).toBeDefined()
      const stats = await h.call<{ calls: Record<string, number> }>(
        'GET',
        '/__wechat/control/stats',
      )
      expect(stats.body.calls).toMatchObject({ jscode2session: 2 })
    })

    it('forgets codes, tokens, faults and counts at reset, but keeps users', async () => {
      const { code, openid } = await mintLogin()
      const token = String((await stableToken()).access_token)
      await h.control.addFault({ api: 'stable_token', errcode: -1 })
      await h.control.reset()
      expect(await code2Session(code)).toMatchObject({ errcode: 40029 })
      expect(await phoneNumber(token, { code: 'x' })).toMatchObject({ errcode: 40014 })
      expect((await stableToken()).access_token).toBeDefined()
      expect(h.emulator.control.sessionKeyOf(openid)).toBeDefined()
      const stats = await h.call<{ calls: Record<string, number> }>(
        'GET',
        '/__wechat/control/stats',
      )
      expect(stats.body.calls).toMatchObject({ jscode2session: 1, stable_token: 1 })
    })

    it('tells what it holds for a user, without giving it a new key', async () => {
      const { code, openid } = await mintLogin({ unionid: 'oUnion3' })
      const held = () => h.call<Answer>('GET', `/__wechat/control/users/${openid}`)
      const first = await held()
      expect(first).toMatchObject({
        status: 200,
        body: { openid, unionid: 'oUnion3', sessionKey: expect.any(String) },
      })
      expect((await held()).body).toEqual(first.body)
      expect((await code2Session(code)).session_key).toBe(first.body.sessionKey)
      await h.control.rotateSessionKey(openid)
      expect((await held()).body.sessionKey).not.toBe(first.body.sessionKey)

      const unknown = await h.call<Answer>('GET', '/__wechat/control/users/oNeverMet')
      expect(unknown).toMatchObject({ status: 404, body: { errcode: 40003 } })
      expect(h.emulator.control.knownUser('oNeverMet')).toBeUndefined()
      const malformed = await h.call<Answer>('GET', '/__wechat/control/users/has%20spaces')
      expect(malformed).toMatchObject({ status: 400, body: { errcode: 40097 } })
    })

    it('tells its appid and mode', async () => {
      const info = await h.call<Answer>('GET', '/__wechat/control/info')
      expect(info.body).toEqual({ appid: EMULATOR_APPID, mode: 'strict' })
    })

    it.each([
      ['login', { openid: 'has spaces' }],
      ['phone', { openid: 'o1', phoneNumber: '+86 138' }],
      ['phone', {}],
      ['userinfo', { openid: 'o1', extra: 1 }],
      ['faults', { api: 'cgi-bin/token', errcode: 1 }],
      ['faults', { api: 'jscode2session', latencyMs: -1 }],
      ['reset', { now: true }],
    ])('refuses a bad %s request with 400', async (path, json) => {
      const reply = await h.call('POST', `/__wechat/control/${path}`, { json })
      expect(reply.status).toBe(400)
    })
  })
})

describe('the preview emulator', () => {
  beforeEach(async () => {
    h = await startTestServer({ config: { emulator: { mode: 'preview' } } })
  })

  it('signs a code it never minted (a real DevTools code) in as the preview user, once', async () => {
    const answer = await code2Session('0a3Xkl000zAbcD1xyz2wq000000Xkl0p')
    expect(answer).toMatchObject({ openid: PREVIEW_OPENID, session_key: expect.any(String) })
    expect(await code2Session('0a3Xkl000zAbcD1xyz2wq000000Xkl0p')).toMatchObject({
      errcode: 40163,
    })
    const login = await h.call<{ user: { id: string } }>('POST', '/api/auth/login', {
      json: { code: 'another-real-code' },
    })
    expect(login.status).toBe(200)
  })

  it('says it runs in preview mode', async () => {
    const info = await h.call<Answer>('GET', '/__wechat/control/info')
    expect(info.body).toEqual({ appid: EMULATOR_APPID, mode: 'preview' })
  })

  it('answers an unknown phone code with the test number', async () => {
    const token = String((await stableToken()).access_token)
    const answer = await phoneNumber(token, { code: 'real-phone-code', openid: PREVIEW_OPENID })
    expect(answer).toMatchObject({ errcode: 0, phone_info: { phoneNumber: '13800138000' } })
  })
})

describe('the emulator’s memory', () => {
  // A benchmark runs 20,000 logins, each a new user, against one server: what the emulator keeps
  // must stop growing, not hold every user, code and token it ever saw.
  const time = Date.UTC(2026, 0, 1)
  const emulator = () => new WechatEmulator({ ...credentials, mode: 'strict', now: () => time })
  const redeem = (e: WechatEmulator, code: string) =>
    e.api.code2Session({ ...credentials, js_code: code, grant_type: 'authorization_code' })

  it('stays bounded over 20,000 logins of new users', () => {
    const e = emulator()
    const { maxUsers, codes } = DEFAULT_EMULATOR_LIMITS
    for (let i = 0; i < 20_000; i++) {
      expect(redeem(e, e.control.mintLoginCode({}).code)).toHaveProperty('session_key')
    }
    const retained = e.control.retained()
    expect(retained.users).toBe(maxUsers)
    expect(retained.codes).toBe(codes.maxUsed)
  })

  it('still redeems codes minted all at once before any login', () => {
    const e = emulator()
    const minted = Array.from({ length: 20_000 }, (_, i) =>
      e.control.mintLoginCode(i === 0 ? { unionid: 'oUnionFirst' } : {}),
    )
    // The first user is long forgotten by now, yet its code still signs it in, unionid and all.
    expect(redeem(e, minted[0]?.code ?? '')).toMatchObject({
      openid: minted[0]?.openid,
      unionid: 'oUnionFirst',
    })
    for (const { code } of minted.slice(1)) expect(redeem(e, code)).toHaveProperty('openid')
    expect(redeem(e, minted[19_999]?.code ?? '')).toMatchObject({ errcode: 40163 })
    expect(e.control.retained().codes).toBe(DEFAULT_EMULATOR_LIMITS.codes.maxUsed)
  })

  it('keeps the users it saw last', () => {
    const e = emulator()
    const { openid } = e.control.mintLoginCode({})
    for (let i = 0; i < DEFAULT_EMULATOR_LIMITS.maxUsers - 1; i++) e.control.mintLoginCode({})
    const key = e.control.sessionKeyOf(openid)
    e.control.rotateSessionKey(openid)
    expect(e.control.sessionKeyOf(openid)).not.toBe(key)
    e.control.mintLoginCode({})
    // Seen just now, so someone else was forgotten.
    expect(e.control.sessionKeyOf(openid)).toBeDefined()
  })

  it('keeps only the latest access tokens, and the latest of each kind', () => {
    const e = emulator()
    const request = { grant_type: 'client_credential', ...credentials }
    const stable = tokenOf(e.api.stableToken(request) as Answer)
    let classic = ''
    for (let i = 0; i < 1000; i++) classic = tokenOf(e.api.classicToken(request) as Answer)
    expect(e.control.retained().accessTokens).toBe(DEFAULT_EMULATOR_LIMITS.maxAccessTokens)
    // 40029 (the code), not 40014 (the token): both tokens are still known and valid.
    expect(e.api.getPhoneNumber(classic, { code: 'x' })).toMatchObject({ errcode: 40029 })
    expect(e.api.getPhoneNumber(stable, { code: 'x' })).toMatchObject({ errcode: 40029 })
  })
})
