import { API_PATHS, PHONE_FIELDS } from '../contract'
import { expectEqual, expectError, expectFields, expectJson } from '../expect'
import type { Check, Group, Kit } from '../kit'
import { uniformFailures } from './sealed'

const PHONE = 'docs/api.md › POST /api/auth/phone'

function postPhone(kit: Kit, token: string, body: unknown) {
  return kit.request('POST', API_PATHS.phone, { token, json: body })
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
  clause: `docs/api.md › Error codes: 409 SESSION_KEY_STALE "could not be opened with the session_key the server holds"; › POST /api/auth/login: "the latest login wins"`,
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

const uniform = uniformFailures({
  name: "every way encryptedData fails to open (its base64, its lengths, its padding, not UTF-8, not JSON, not an object, fields missing, another app's watermark) → one answer, 409 SESSION_KEY_STALE, word for word",
  route: 'POST /api/auth/phone',
  mint: (kit, openid) => kit.emulator.mintPhone(openid),
  body: async (_kit, _openid, sealed) => sealed,
  fields: { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
})

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
  checks: [...byCode, reusedCode, othersCode, legacy, stale, uniform, malformed],
}
