import { API_PATHS, USERINFO_FIELDS } from '../contract'
import { expectEqual, expectError, expectFields, expectJson, expectUser } from '../expect'
import type { Check, Group, Kit } from '../kit'
import { signedUserInfo, uniformFailures } from './sealed'

const USERINFO = 'docs/api.md › POST /api/auth/userinfo'

function postUserInfo(kit: Kit, token: string, body: unknown) {
  return kit.request('POST', API_PATHS.userInfo, { token, json: body })
}

const signed: Check = {
  name: "signed user info → 200 {userInfo, user}: userInfo is rawData's fields (no openId, unionId, watermark); nickname and avatar saved",
  clause: `${USERINFO}: "userInfo is the decrypted data without watermark, openId and unionId. A non-anonymous nickname and avatar … are saved on the user"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const profile = {
      nickName: 'Kit 测试🙂',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/kit/132',
    }
    const payload = await kit.emulator.mintUserInfo(openid, profile)
    const what = 'POST /api/auth/userinfo with a signed payload'
    const answer = expectFields(
      expectJson(await postUserInfo(kit, token, payload), what),
      USERINFO_FIELDS,
      `${what}: the answer`,
    )
    // rawData is the profile WeChat signed: the decrypted data less its identifiers and watermark.
    expectEqual(answer.userInfo, JSON.parse(payload.rawData), `${what}: userInfo`)
    expectUser(answer.user, `${what}: user`, profile)
    await kit.me(token, profile)
  },
}

const anonymous: Check = {
  name: 'the anonymous 微信用户 profile → 200, nothing saved on the user',
  clause: `${USERINFO}: "A non-anonymous nickname and avatar (anything but WeChat's 微信用户 placeholder) are saved"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const payload = await kit.emulator.mintUserInfo(openid)
    const what = 'POST /api/auth/userinfo with the anonymous profile'
    const answer = expectJson(await postUserInfo(kit, token, payload), what)
    expectEqual(answer.userInfo, JSON.parse(payload.rawData), `${what}: userInfo`)
    expectUser(answer.user, `${what}: user`, { nickName: null, avatarUrl: null })
    await kit.me(token, { nickName: null, avatarUrl: null })
  },
}

const wrongSignature: Check = {
  name: 'a wrong signature, or rawData changed after signing → 400 SIGNATURE_INVALID, nothing saved',
  clause: `docs/api.md › Error codes: 400 SIGNATURE_INVALID "signature is not sha1(rawData + session_key)"; ${USERINFO}: "the signature is checked first"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const payload = await kit.emulator.mintUserInfo(openid, { nickName: 'Signed' })
    const tampered = JSON.stringify({ ...JSON.parse(payload.rawData), nickName: 'Tampered' })
    const bodies: [string, unknown][] = [
      ['a signature of zeros', { ...payload, signature: '0'.repeat(40) }],
      ['rawData changed after signing', { ...payload, rawData: tampered }],
    ]
    for (const [what, body] of bodies) {
      expectError(
        await postUserInfo(kit, token, body),
        'SIGNATURE_INVALID',
        `POST /api/auth/userinfo with ${what}`,
      )
    }
    await kit.me(token, { nickName: null })
  },
}

const stale: Check = {
  name: 'user info sealed before a second wx.login → 409 SESSION_KEY_STALE',
  clause: `${USERINFO}: errors "409 SESSION_KEY_STALE"; docs/api.md › Error codes: SESSION_KEY_STALE "could not be opened with the session_key the server holds"`,
  async run(kit) {
    const { openid } = await kit.signIn()
    const old = await kit.emulator.mintUserInfo(openid, { nickName: 'Stale' })
    const { token } = await kit.signIn(openid)
    // rawData signed with the new key, as a getUserInfo after the login would sign it.
    const { rawData, signature } = await kit.emulator.mintUserInfo(openid, { nickName: 'Stale' })
    expectError(
      await postUserInfo(kit, token, {
        encryptedData: old.encryptedData,
        iv: old.iv,
        rawData,
        signature,
      }),
      'SESSION_KEY_STALE',
      'POST /api/auth/userinfo with a payload sealed with the key before the last login',
    )
  },
}

const uniform = uniformFailures({
  name: "every way a signed payload's encryptedData fails to open → one answer, 409 SESSION_KEY_STALE, word for word",
  route: 'POST /api/auth/userinfo',
  mint: (kit, openid) => kit.emulator.mintUserInfo(openid),
  body: signedUserInfo,
  fields: { nickName: 'Kit', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/kit/132' },
})

const malformed: Check = {
  name: 'no rawData or no signature (both required), no encryptedData, an unknown field → 400 INVALID_REQUEST',
  clause: `${USERINFO}: Body { encryptedData, iv, rawData, signature }, "the signature is checked before anything is decrypted"; docs/api.md › Conventions: "Unknown fields in a body are rejected"`,
  async run(kit) {
    const { token, openid } = await kit.signIn()
    const payload = await kit.emulator.mintUserInfo(openid)
    const { encryptedData, iv, rawData, signature } = payload
    const bodies: [string, unknown][] = [
      ['rawData without signature', { encryptedData, iv, rawData }],
      ['signature without rawData', { encryptedData, iv, signature }],
      ['neither rawData nor signature', { encryptedData, iv }],
      ['no encryptedData', { iv, rawData, signature }],
      ['an unknown field', { ...payload, lang: 'zh_CN' }],
    ]
    for (const [what, body] of bodies) {
      expectError(
        await postUserInfo(kit, token, body),
        'INVALID_REQUEST',
        `POST /api/auth/userinfo with ${what}`,
      )
    }
  },
}

export const userInfoGroup: Group = {
  title: 'user info: POST /api/auth/userinfo',
  checks: [signed, anonymous, wrongSignature, stale, uniform, malformed],
}
