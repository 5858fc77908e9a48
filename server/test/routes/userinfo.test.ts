import { EMULATOR_APPID } from '../../../emulator'
import { sealOpenData } from '../../../common/open-data'
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

  it('checks the signature before decrypting anything: a stale key fails it, garbage is never tried', async () => {
    const { openid } = await h.login()
    const minted = await h.control.userInfo({ openid })
    const { token } = await h.login(openid)
    expect((await userinfo(token, minted)).body.error.code).toBe('SIGNATURE_INVALID')
    const garbage = { ...minted, encryptedData: Buffer.alloc(32).toString('base64') }
    expect((await userinfo(token, garbage)).body.error.code).toBe('SIGNATURE_INVALID')
    expect(h.logs.filter((line) => line.includes('"open data refused"'))).toEqual([])
  })

  it.each([
    ['rawData without signature', (m: Minted) => ({ ...m, signature: undefined })],
    ['signature without rawData', (m: Minted) => ({ ...m, rawData: undefined })],
    [
      'neither rawData nor signature',
      (m: Minted) => ({ encryptedData: m.encryptedData, iv: m.iv }),
    ],
    ['no iv', (m: Minted) => ({ ...m, iv: undefined })],
    ['an unknown field', (m: Minted) => ({ ...m, errMsg: 'getUserInfo:ok' })],
  ])('refuses %s as 400 INVALID_REQUEST', async (_case, change) => {
    const { token, openid } = await h.login()
    const minted = await h.control.userInfo({ openid })
    const reply = await userinfo(token, change(minted))
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })

  it('answers every way a signed payload fails to open as the phone route does: one status, code and message', async () => {
    /** Signed as WeChat signs, but sealed by the test: rawData's signature says nothing of encryptedData. */
    const signedWith = async (openid: string, payload: { encryptedData: string; iv: string }) => ({
      ...(await h.control.userInfo({ openid })),
      ...payload,
    })
    const key = async (openid: string) => (await h.control.user(openid)).sessionKey
    const watermark = () => ({ appid: EMULATOR_APPID, timestamp: Math.floor(h.now() / 1000) })
    const failures: [string, (openid: string) => Promise<{ encryptedData: string; iv: string }>][] =
      [
        [
          'an iv with a space',
          async (openid) => {
            const { encryptedData, iv } = await h.control.userInfo({ openid })
            return { encryptedData, iv: iv.replace(/.$/, ' ') }
          },
        ],
        [
          'bad padding',
          async (openid) =>
            sealOpenData(
              Buffer.concat([Buffer.from('{"a":1}'), Buffer.alloc(9, 3)]),
              await key(openid),
              { pad: false },
            ),
        ],
        ['not JSON', async (openid) => sealOpenData(Buffer.from('nickName=x'), await key(openid))],
        [
          'no avatarUrl',
          async (openid) =>
            sealOpenData(
              Buffer.from(JSON.stringify({ nickName: 'x', watermark: watermark() })),
              await key(openid),
            ),
        ],
        [
          'a phone payload',
          async (openid) => {
            const { encryptedData, iv } = await h.control.phone({ openid })
            return { encryptedData, iv }
          },
        ],
        [
          'an old watermark',
          async (openid) =>
            sealOpenData(
              Buffer.from(
                JSON.stringify({
                  nickName: 'x',
                  avatarUrl: '',
                  watermark: { ...watermark(), timestamp: 1 },
                }),
              ),
              await key(openid),
            ),
        ],
      ]
    const answers: [string, unknown][] = []
    for (const [what, make] of failures) {
      const { token, openid } = await h.login()
      const reply = await userinfo(token, await signedWith(openid, await make(openid)))
      answers.push([what, { status: reply.status, body: reply.body }])
    }
    const phoneTwin = await h.login()
    const stale = await h.call('POST', '/api/auth/phone', {
      token: phoneTwin.token,
      json: {
        encryptedData: Buffer.alloc(32).toString('base64'),
        iv: Buffer.alloc(16).toString('base64'),
      },
    })
    const expected = { status: stale.status, body: stale.body }
    expect(expected.status).toBe(409)
    for (const [what, answer] of answers) expect([what, answer]).toEqual([what, expected])
  })
})
