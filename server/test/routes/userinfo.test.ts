import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'
import type { User } from '../../src/sessions/user'

let h: TestServer

beforeEach(async () => {
  h = await startTestServer()
})

afterEach(async () => {
  await h.close()
})

interface Minted {
  encryptedData: string
  iv: string
  rawData: string
  signature: string
}

interface UserInfoAnswer {
  userInfo: Record<string, unknown>
  user: User
}

const userinfo = (token: string, json: unknown) =>
  h.call<UserInfoAnswer & ErrorAnswer>('POST', '/api/auth/userinfo', { token, json })

describe('POST /api/auth/userinfo', () => {
  it('answers the decrypted user info, without watermark, openId or unionId', async () => {
    const { openid } = await h.control.login({ unionid: 'oUnionXYZ' })
    const { token } = await h.login(openid)
    const minted = await h.control.userInfo({
      openid,
      nickName: '小明',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
    })
    const reply = await userinfo(token, minted)
    expect(reply.status).toBe(200)
    expect(reply.body.userInfo).toEqual({
      nickName: '小明',
      gender: 0,
      language: 'zh_CN',
      city: '',
      province: '',
      country: '',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
    })
    expect(reply.text).not.toContain(openid)
    expect(reply.text).not.toContain('oUnionXYZ')
    // A real nickname and avatar are kept on the user.
    expect(reply.body.user).toMatchObject({
      nickName: '小明',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
    })
  })

  it('keeps nothing of WeChat’s anonymous 微信用户 placeholder', async () => {
    const { token, openid } = await h.login()
    await h.call('PUT', '/api/me/profile', { token, json: { nickName: 'Chosen' } })
    const minted = await h.control.userInfo({ openid })
    const reply = await userinfo(token, minted)
    expect(reply.status).toBe(200)
    expect(reply.body.userInfo.nickName).toBe('微信用户')
    expect(reply.body.user).toMatchObject({ nickName: 'Chosen', avatarUrl: null })
  })

  it.each([
    ['not http(s)', 'javascript:alert(1)'],
    ['a control character (PostgreSQL refuses U+0000)', 'https://thirdwx.qlogo.cn/a\u0000b'],
    ['not a URL', 'https://'],
  ])('keeps the nickname but not an avatar address that is %s', async (_case, avatarUrl) => {
    const { token, openid } = await h.login()
    const minted = await h.control.userInfo({ openid, nickName: '小红', avatarUrl })
    const reply = await userinfo(token, minted)
    expect(reply.status).toBe(200)
    expect(reply.body.user).toMatchObject({ nickName: '小红', avatarUrl: null })
  })

  it('decrypts without rawData and signature, which are optional', async () => {
    const { token, openid } = await h.login()
    const { encryptedData, iv } = await h.control.userInfo({ openid })
    expect((await userinfo(token, { encryptedData, iv })).status).toBe(200)
  })

  it('answers 400 SIGNATURE_INVALID when rawData was altered', async () => {
    const { token, openid } = await h.login()
    const minted = await h.control.userInfo({ openid, nickName: 'Band' })
    const reply = await userinfo(token, {
      ...minted,
      rawData: minted.rawData.replace('Band', 'Bond'),
    })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('SIGNATURE_INVALID')
  })

  it('checks the signature first: a stale key fails it', async () => {
    const { openid } = await h.login()
    const minted = await h.control.userInfo({ openid })
    const { token } = await h.login(openid)
    expect((await userinfo(token, minted)).body.error.code).toBe('SIGNATURE_INVALID')
    const { encryptedData, iv } = minted
    const reply = await userinfo(token, { encryptedData, iv })
    expect(reply.status).toBe(409)
    expect(reply.body.error.code).toBe('SESSION_KEY_STALE')
  })

  it('answers 400 WATERMARK_INVALID for an old payload', async () => {
    const { token, openid } = await h.login()
    const minted = await h.control.userInfo({ openid })
    h.advance(3600 * 1000)
    expect((await userinfo(token, minted)).body.error.code).toBe('WATERMARK_INVALID')
  })

  it('refuses a phone payload sent as user info', async () => {
    const { token, openid } = await h.login()
    const { encryptedData, iv } = await h.control.phone({ openid })
    const reply = await userinfo(token, { encryptedData, iv })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })

  it.each([
    ['rawData without signature', (m: Minted) => ({ ...m, signature: undefined })],
    ['signature without rawData', (m: Minted) => ({ ...m, rawData: undefined })],
    ['no iv', (m: Minted) => ({ ...m, iv: undefined })],
    ['a base64 iv with a space', (m: Minted) => ({ ...m, iv: m.iv.replace(/.$/, ' ') })],
    ['an unknown field', (m: Minted) => ({ ...m, errMsg: 'getUserInfo:ok' })],
  ])('refuses %s as 400 INVALID_REQUEST', async (_case, change) => {
    const { token, openid } = await h.login()
    const minted = await h.control.userInfo({ openid })
    const reply = await userinfo(token, change(minted))
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })
})
