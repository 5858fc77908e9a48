import { WECHAT_ERRCODE as E } from '../../common/wechat-errcodes'
import type { WechatApiName } from '../../emulator'
import { API_PATHS, CODE_MAX_LENGTH, LOGIN_FIELDS, type ErrorCode } from '../contract'
import { expectError, expectFields, expectJson, expectUser, fail } from '../expect'
import type { Answer } from '../http'
import type { Check, Group, Kit } from '../kit'

const LOGIN = 'docs/api.md › POST /api/auth/login'

async function login(kit: Kit, body: unknown) {
  return kit.request('POST', API_PATHS.login, { json: body })
}

/** Each body must answer 400 INVALID_REQUEST; the reason names every one that did not. */
async function expectInvalid(kit: Kit, bodies: unknown[]): Promise<void> {
  for (const body of bodies) {
    expectError(await login(kit, body), 'INVALID_REQUEST', `login with ${JSON.stringify(body)}`)
  }
}

const login200: Check = {
  name: 'a fresh code signs in: 200 {token, expiresIn, user}, user with exactly the User fields',
  clause: `${LOGIN}: "200 { token: string, expiresIn: number, user: User }"; › Types: User is { id, nickName, avatarUrl, phoneNumber }`,
  async run(kit) {
    const { code } = await kit.emulator.mintLogin()
    const what = 'POST /api/auth/login with a fresh code'
    const body = expectFields(
      expectJson(await login(kit, { code }), what),
      LOGIN_FIELDS,
      `${what}: the answer`,
    )
    if (typeof body.token !== 'string' || body.token === '') fail(`${what}: token is not a string`)
    if (!Number.isInteger(body.expiresIn) || Number(body.expiresIn) <= 0) {
      fail(`${what}: expiresIn must be a positive number of seconds, not ${body.expiresIn}`)
    }
    // A new user has nothing else yet.
    expectUser(body.user, `${what}: user`, { nickName: null, avatarUrl: null, phoneNumber: null })
  },
}

const sameUser: Check = {
  name: 'a second wx.login of the same user signs in the same user id, with a new token',
  clause: `${LOGIN}: "keeps the session_key for this user (the latest login wins) and issues a new random token"`,
  async run(kit) {
    const first = await kit.signIn()
    const second = await kit.signIn(first.openid)
    if (second.userId !== first.userId) {
      fail(`the same WeChat user came back as user ${second.userId}, not ${first.userId}`)
    }
    if (second.token === first.token) fail('the second login handed out the same token again')
    const other = await kit.signIn()
    if (other.userId === first.userId) fail('two WeChat users got the same user id')
  },
}

const reusedCode: Check = {
  name: 'a login code used twice → 400 WECHAT_CODE_INVALID (never 401)',
  clause: `${LOGIN}: "redeems the code exactly once"; › Error codes: WECHAT_CODE_INVALID "already used … never 401, so it cannot start a re-login loop"`,
  async run(kit) {
    const { code } = await kit.emulator.mintLogin()
    expectJson(await login(kit, { code }), 'POST /api/auth/login with a fresh code')
    expectError(
      await login(kit, { code }),
      'WECHAT_CODE_INVALID',
      'POST /api/auth/login with the same code again',
    )
  },
}

const unknownCode: Check = {
  name: 'a code WeChat never issued → 400 WECHAT_CODE_INVALID',
  clause: `docs/api.md › Error codes: WECHAT_CODE_INVALID "WeChat rejected the login code … invalid, expired or already used (errcode 40029, 40163)"`,
  async run(kit) {
    for (const code of ['0a3Xkl000zAbcD1xyz2wq000000Xkl0p', 'not-a-code']) {
      expectError(await login(kit, { code }), 'WECHAT_CODE_INVALID', `login with code "${code}"`)
    }
  },
}

const noCode: Check = {
  name: 'no code, or an empty body → 400 INVALID_REQUEST',
  clause: `${LOGIN}: Body { "code": string }; › Error codes: INVALID_REQUEST "the body … is malformed"`,
  async run(kit) {
    await expectInvalid(kit, [{}])
    expectError(
      await kit.request('POST', API_PATHS.login, {
        headers: { 'content-type': 'application/json' },
      }),
      'INVALID_REQUEST',
      'login with no body',
    )
  },
}

const wrongType: Check = {
  name: 'a code of the wrong type (number, null, array, object, boolean) → 400 INVALID_REQUEST',
  clause: `${LOGIN}: Body { "code": string }; › Error codes: INVALID_REQUEST "types"`,
  run: (kit) =>
    expectInvalid(kit, [
      { code: 123456 },
      { code: null },
      { code: ['a'] },
      { code: {} },
      { code: true },
    ]),
}

const codeLength: Check = {
  name: `a code that is empty or over ${CODE_MAX_LENGTH} characters → 400 INVALID_REQUEST`,
  clause: `${LOGIN}: "the wx.login code, 1–${CODE_MAX_LENGTH} characters"; › Error codes: INVALID_REQUEST "lengths"`,
  run: (kit) => expectInvalid(kit, [{ code: '' }, { code: 'a'.repeat(CODE_MAX_LENGTH + 1) }]),
}

const unknownField: Check = {
  name: 'an unknown field next to a valid code → 400 INVALID_REQUEST',
  clause: `docs/api.md › Conventions: "Unknown fields in a body are rejected (400 INVALID_REQUEST): a typo must not pass silently"`,
  async run(kit) {
    const { code } = await kit.emulator.mintLogin()
    await expectInvalid(kit, [{ code, remember: true }])
  },
}

/** WeChat answers `errcode` to every call of `api` while `send` runs; the faults are cleared after. */
function wechatFault(options: {
  name: string
  api: WechatApiName
  errcode: number
  expected: ErrorCode
  clause: string
  route: string
  send: (kit: Kit) => Promise<Answer>
}): Check {
  const { name, api, errcode, expected, clause, route, send } = options
  return {
    name,
    clause,
    wechatFault: true,
    async run(kit) {
      await kit.emulator.failEvery(api, errcode)
      let answer: Answer
      try {
        answer = await send(kit)
      } finally {
        await kit.emulator.clearFaults()
      }
      expectError(answer, expected, `${route} while WeChat's ${api} answers ${errcode}`)
    },
  }
}

const ERROR_CODES = 'docs/api.md › Error codes'

export const loginGroup: Group = {
  title: 'login: POST /api/auth/login',
  checks: [
    login200,
    sameUser,
    reusedCode,
    unknownCode,
    noCode,
    wrongType,
    codeLength,
    unknownField,
  ],
}

const faultyLogin = {
  api: 'jscode2session',
  route: 'POST /api/auth/login',
  send: async (kit: Kit) => login(kit, { code: (await kit.emulator.mintLogin()).code }),
} as const

export const wechatFaultGroup: Group = {
  title: 'WeChat failing (faults injected in the emulator)',
  checks: [
    wechatFault({
      ...faultyLogin,
      name: `WeChat blocks a risky user (${E.CODE_BLOCKED}) → 403 WECHAT_RISK_BLOCKED`,
      errcode: E.CODE_BLOCKED,
      expected: 'WECHAT_RISK_BLOCKED',
      clause: `${ERROR_CODES}: 403 WECHAT_RISK_BLOCKED "WeChat blocked the login of a high-risk user (errcode 40226)"`,
    }),
    wechatFault({
      ...faultyLogin,
      name: `WeChat's minute quota is used up (${E.MINUTE_QUOTA}) → 429 RATE_LIMITED`,
      errcode: E.MINUTE_QUOTA,
      expected: 'RATE_LIMITED',
      clause: `${ERROR_CODES}: 429 RATE_LIMITED "or WeChat's minute quota (45011)"`,
    }),
    wechatFault({
      ...faultyLogin,
      name: `WeChat busy (${E.SYSTEM_BUSY}) at every try → 503 WECHAT_UNAVAILABLE`,
      errcode: E.SYSTEM_BUSY,
      expected: 'WECHAT_UNAVAILABLE',
      clause: `${ERROR_CODES}: 503 WECHAT_UNAVAILABLE "WeChat answered -1 (busy) or could not be reached, after the server's own retries"`,
    }),
    wechatFault({
      ...faultyLogin,
      name: `WeChat answers an errcode the backend does not expect (${E.INVALID_APPID}) → 502 WECHAT_ERROR`,
      errcode: E.INVALID_APPID,
      expected: 'WECHAT_ERROR',
      clause: `${ERROR_CODES}: 502 WECHAT_ERROR "WeChat answered an errcode the server does not expect (a configuration error such as a wrong appid or secret)"`,
    }),
    wechatFault({
      name: `WeChat busy (${E.SYSTEM_BUSY}) on a phone code at every try → 503 WECHAT_UNAVAILABLE`,
      api: 'getuserphonenumber',
      errcode: E.SYSTEM_BUSY,
      expected: 'WECHAT_UNAVAILABLE',
      clause: `docs/api.md › POST /api/auth/phone: errors "503"; ${ERROR_CODES}: 503 WECHAT_UNAVAILABLE`,
      route: 'POST /api/auth/phone',
      // The fault is on the phone API only: signing in still works.
      send: async (kit) => {
        const { token, openid } = await kit.signIn()
        const { code } = await kit.emulator.mintPhone(openid)
        return kit.request('POST', API_PATHS.phone, { token, json: { code } })
      },
    }),
  ],
}
