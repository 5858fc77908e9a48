// WeChat's side of a payload the kit seals itself: what the emulator does for its mints.
import { encryptOpenData } from '../../common/open-data'
import { PHONE_FIELDS } from '../contract'
import type { PhonePayload } from '../emulator'
import { expectEqual, expectError, expectFields, expectJson, fail } from '../expect'
import type { Check, Group, Kit } from '../kit'

const PHONE = 'docs/api.md › POST /api/auth/phone'

function postPhone(kit: Kit, token: string, body: unknown) {
  return kit.request('POST', '/api/auth/phone', { token, json: body })
}

/** 200 with exactly the phone fields and these values, and the number stored on the user. */
async function expectPhone(
  kit: Kit,
  token: string,
  body: unknown,
  wanted: { phoneNumber: string; purePhoneNumber: string; countryCode: string },
  what: string,
): Promise<void> {
  const answer = expectFields(
    expectJson(await postPhone(kit, token, body), what),
    PHONE_FIELDS,
    `${what}: the answer`,
  )
  expectEqual(answer, wanted, `${what}: the answer`)
  const user = await kit.me(token)
  expectEqual(user.phoneNumber, wanted.phoneNumber, 'GET /api/me after it: user.phoneNumber')
}

/** A phone payload of the user whose encryptedData holds both a '+' and a '/' to damage. */
async function damageablePayload(kit: Kit, openid: string): Promise<PhonePayload> {
  for (let tries = 0; tries < 32; tries++) {
    const payload = await kit.emulator.mintPhone(openid)
    if (/\+/.test(payload.encryptedData) && /\//.test(payload.encryptedData)) return payload
  }
  fail("the emulator's payloads never held both '+' and '/' in 32 tries")
}

const byCode: Check[] = [
  {
    name: 'a phone code → 200 {phoneNumber, purePhoneNumber, countryCode}, stored on the user',
    clause: `${PHONE}: "200 { phoneNumber, purePhoneNumber, countryCode } (strings). The number is stored on the user"`,
    what: 'POST /api/auth/phone with a phone code',
    minted: { phoneNumber: '13912345678' },
    wanted: { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
  },
  {
    name: 'a number outside China keeps its area code: +1 202… → phoneNumber "+12025550123", countryCode "1"',
    clause: `docs/api.md › Types: phoneNumber "as WeChat gave it (with the area code for non-Chinese numbers)"; ${PHONE}: countryCode is a string`,
    what: 'POST /api/auth/phone with the code of a US number',
    minted: { phoneNumber: '2025550123', countryCode: '1' },
    wanted: { phoneNumber: '+12025550123', purePhoneNumber: '2025550123', countryCode: '1' },
  },
].map(({ name, clause, what, minted, wanted }) => ({
  name,
  clause,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const { code } = await kit.emulator.mintPhone(openid, minted)
    await expectPhone(kit, token, { code }, wanted, what)
  },
}))

const reusedCode: Check = {
  name: 'a phone code used twice → 400 WECHAT_CODE_INVALID',
  clause: `${PHONE}: errors "400 WECHAT_CODE_INVALID"; docs/api.md › Error codes: "the phone code: invalid, expired or already used"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const { code } = await kit.emulator.mintPhone(openid)
    expectJson(await postPhone(kit, token, { code }), 'POST /api/auth/phone with a phone code')
    expectError(
      await postPhone(kit, token, { code }),
      'WECHAT_CODE_INVALID',
      'POST /api/auth/phone with the same code again',
    )
  },
}

const othersCode: Check = {
  name: "another user's phone code → 400 WECHAT_CODE_INVALID, nothing stored",
  clause: `${PHONE}: "the server asks WeChat (getuserphonenumber, bound to the user's openid)"`,
  async run(kit) {
    const mine = await kit.signIn()
    const theirs = await kit.signIn()
    const { code } = await kit.emulator.mintPhone(theirs.openid, { phoneNumber: '13700000000' })
    expectError(
      await postPhone(kit, mine.token, { code }),
      'WECHAT_CODE_INVALID',
      "POST /api/auth/phone with another user's phone code",
    )
    await kit.me(mine.token, { phoneNumber: null })
  },
}

const legacy: Check = {
  name: 'encryptedData and iv (base library < 2.21.2) → 200, stored on the user',
  clause: `${PHONE}: "without it, encryptedData and iv are both required and are decrypted with the user's session_key"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const { encryptedData, iv } = await kit.emulator.mintPhone(openid, {
      phoneNumber: '13912345678',
    })
    await expectPhone(
      kit,
      token,
      { encryptedData, iv },
      { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
      'POST /api/auth/phone with encryptedData and iv',
    )
  },
}

const stale: Check = {
  name: 'encryptedData sealed before a second wx.login → 409 SESSION_KEY_STALE',
  clause: `docs/api.md › Error codes: 409 SESSION_KEY_STALE "the payload could not be decrypted with the session_key the server holds"; › POST /api/auth/login: "the latest login wins"`,
  async run(kit) {
    const { openid } = await kit.signIn()
    const old = await kit.emulator.mintPhone(openid)
    // The phone logs in again: WeChat gives the user a new session_key, the backend gets it.
    const { token } = await kit.signIn(openid)
    expectError(
      await postPhone(kit, token, { encryptedData: old.encryptedData, iv: old.iv }),
      'SESSION_KEY_STALE',
      'POST /api/auth/phone with a payload sealed with the key before the last login',
    )
  },
}

const formDecoded: Check = {
  name: "encryptedData with its '+' turned into spaces (form decoding) → 400 INVALID_REQUEST",
  clause: `docs/api.md › Error codes: 400 INVALID_REQUEST "non-strict base64: a + turned into a space by form decoding"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const { encryptedData, iv } = await damageablePayload(kit, openid)
    expectError(
      await postPhone(kit, token, { encryptedData: encryptedData.replaceAll('+', ' '), iv }),
      'INVALID_REQUEST',
      "POST /api/auth/phone with spaces for '+' in encryptedData",
    )
  },
}

const notStrict: Check = {
  name: 'encryptedData or iv not in strict base64 (base64url, line breaks, no padding, a stray *) → 400 INVALID_REQUEST',
  clause: `docs/api.md › Error codes: 400 INVALID_REQUEST "non-strict base64"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const { encryptedData, iv } = await damageablePayload(kit, openid)
    const damaged: [string, { encryptedData: string; iv: string }][] = [
      ['base64url', { encryptedData: encryptedData.replaceAll('+', '-').replaceAll('/', '_'), iv }],
      ['line breaks', { encryptedData: encryptedData.replace(/(.{20})/g, '$1\n'), iv }],
      ['an iv without its padding', { encryptedData, iv: iv.replace(/=+$/, '') }],
      ['a stray *', { encryptedData: `*${encryptedData}`, iv }],
    ]
    for (const [what, body] of damaged) {
      expectError(
        await postPhone(kit, token, body),
        'INVALID_REQUEST',
        `POST /api/auth/phone with ${what}`,
      )
    }
  },
}

const otherApp: Check = {
  name: "a payload with another app's watermark → 400 WATERMARK_INVALID",
  clause: `docs/api.md › Error codes: 400 WATERMARK_INVALID "the decrypted data belongs to another appid"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const sessionKey = await kit.emulator.sessionKeyOf(openid)
    const sealed = encryptOpenData(
      {
        phoneNumber: '13912345678',
        purePhoneNumber: '13912345678',
        countryCode: '86',
        watermark: { appid: 'wx0123456789abcdef', timestamp: Math.floor(Date.now() / 1000) },
      },
      sessionKey,
    )
    expectError(
      await postPhone(kit, token, sealed),
      'WATERMARK_INVALID',
      "POST /api/auth/phone with a payload of appid wx0123456789abcdef, the user's own key",
    )
    await kit.me(token, { phoneNumber: null })
  },
}

const malformed: Check = {
  name: 'no code and no payload, encryptedData without iv, wrong types, an unknown field → 400 INVALID_REQUEST',
  clause: `${PHONE}: "without it, encryptedData and iv are both required"; docs/api.md › Conventions: "Unknown fields in a body are rejected"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const bodies = [
      {},
      { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==' },
      { iv: 'AAAAAAAAAAAAAAAAAAAAAA==' },
      { code: 123 },
      { code: 'a-phone-code', phone: '13912345678' },
    ]
    for (const body of bodies) {
      expectError(
        await postPhone(kit, token, body),
        'INVALID_REQUEST',
        `POST /api/auth/phone with ${JSON.stringify(body)}`,
      )
    }
  },
}

export const phoneGroup: Group = {
  title: 'phone number: POST /api/auth/phone',
  checks: [
    ...byCode,
    reusedCode,
    othersCode,
    legacy,
    stale,
    formDecoded,
    notStrict,
    otherApp,
    malformed,
  ],
}
