import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { error, useFakeBackend, USER } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import { exists, loadPage, openReady, type Rendered, settle, text } from '../support/launch-app'

const backend = useFakeBackend()
const pageId = loadPage('pages/login/index')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'login-page-'))
/** What chooseAvatar hands over: a temporary local file. */
const avatarFile = path.join(tmp, 'tmp_avatar.png')
let wx: FakeWx

const BAND = {
  nickName: 'Band',
  avatarUrl: 'https://example.com/band.png',
  gender: 1,
  language: 'zh_CN',
}

beforeAll(() => {
  fs.writeFileSync(avatarFile, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))
})
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})
beforeEach(() => {
  wx = new FakeWx()
  wx.privacyAgreed = true
})

function open(): Promise<Rendered> {
  return openReady(wx, backend.url, pageId)
}

async function idle(page: Rendered, trigger: () => void): Promise<void> {
  trigger()
  await settle(() => page.data.busy === true || page.data.status !== '')
  await settle(() => page.data.busy === false)
}

function tapUserInfo(page: Rendered, detail: WechatMiniprogram.UserInfoDetail): Promise<void> {
  return idle(page, () =>
    page.querySelector('#userinfo-btn')!.dispatchEvent('getuserinfo', { detail }),
  )
}

function chooseAvatar(page: Rendered): Promise<void> {
  return idle(page, () =>
    page
      .querySelector('#avatar-btn')!
      .dispatchEvent('chooseavatar', { detail: { avatarUrl: avatarFile } }),
  )
}

function saveNickname(page: Rendered, nickName: string): Promise<void> {
  return idle(page, () =>
    page
      .querySelector('#profile-form')!
      .dispatchEvent('submit', { detail: { value: { nickName } } }),
  )
}

describe('the getUserInfo button', () => {
  it('checks the session before the tap, then posts encryptedData, iv, rawData and signature', async () => {
    backend.on('POST /api/auth/userinfo', () => ({
      status: 200,
      body: { userInfo: BAND, user: { ...USER, nickName: 'Band', avatarUrl: BAND.avatarUrl } },
    }))
    const page = await open()
    expect(wx.count('checkSession')).toBe(1)
    const detail = await wx.userInfoDetail()
    await tapUserInfo(page, detail)
    expect(backend.received.at(-1)).toMatchObject({
      path: '/api/auth/userinfo',
      token: 'token-1',
      body: {
        encryptedData: detail.encryptedData,
        iv: detail.iv,
        rawData: detail.rawData,
        signature: detail.signature,
      },
    })
    expect(text(page, '#nickname')).toBe('Band')
    expect(text(page, '#status')).toBe('已获取微信头像昵称')
  })

  it('never shows WeChat’s anonymous 微信用户 as the name: asks for the fill-in instead', async () => {
    backend.on('POST /api/auth/userinfo', () => ({
      status: 200,
      body: {
        userInfo: { nickName: '微信用户', avatarUrl: 'https://thirdwx.qlogo.cn/grey/132' },
        user: USER,
      },
    }))
    const page = await open()
    await tapUserInfo(page, await wx.userInfoDetail())
    expect(text(page, '#nickname')).toBe('未设置昵称')
    // The fill-in is above the button: the message says so, and shows under the button.
    expect(text(page, '#status')).toBe('微信只提供了默认头像和昵称，请在上方设置')
    expect(page.data.statusAt).toBe('userinfo')
    expect(page.data.askFillIn).toBe(true)
  })

  it('a denial sends nothing and says how to come back', async () => {
    const page = await open()
    await tapUserInfo(page, { errMsg: 'getUserInfo:fail auth deny' })
    expect(text(page, '#status')).toBe('你取消了授权，需要时可再点一次按钮')
    expect(backend.count('POST /api/auth/userinfo')).toBe(0)
  })

  it('a stale session_key: logs in again after the answer and asks for one more tap', async () => {
    backend.on('POST /api/auth/userinfo', () => error(409, 'SESSION_KEY_STALE'))
    const page = await open()
    const before = wx.log.length
    await tapUserInfo(page, await wx.userInfoDetail())
    expect(wx.log.slice(before)).toEqual([
      'POST /api/auth/userinfo',
      'login',
      'POST /api/auth/login',
    ])
    expect(text(page, '#status')).toBe('登录状态已更新，请再点一次按钮')
  })

  it('falls back to 请升级微信版本 where the button does not exist', async () => {
    wx.sdkVersion = '1.2.0'
    const page = await open()
    expect(exists(page, '#userinfo-btn')).toBe(false)
    expect(page.dom!.textContent).toContain('请升级微信版本')
  })
})

describe('avatar fill-in', () => {
  beforeEach(() => {
    backend.on('POST /api/me/avatar', () => ({
      status: 200,
      body: {
        avatarUrl: `${backend.url}/avatars/a1.png`,
        user: { ...USER, avatarUrl: `${backend.url}/avatars/a1.png` },
      },
    }))
  })

  it('uploads the chosen file once, with the token, as the avatar field, and shows it', async () => {
    const page = await open()
    await chooseAvatar(page)
    expect(backend.count('POST /api/me/avatar')).toBe(1)
    const upload = backend.received.at(-1)!
    expect(upload.token).toBe('token-1')
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(upload.body).toContain('name="avatar"; filename="tmp_avatar.png"')
    expect(text(page, '#status')).toBe('头像已更新')
    // Beside the avatar chooser, not under the getUserInfo button at the bottom.
    expect(page.data.statusAt).toBe('profile')
    expect(page.data.avatarUrl).toBe(`${backend.url}/avatars/a1.png`)
  })

  it.each([
    [413, 'PAYLOAD_TOO_LARGE', '图片太大，请选择 1MB 以内的图片', false],
    [415, 'UNSUPPORTED_MEDIA_TYPE', '只支持 PNG、JPEG、WebP 格式的图片', false],
  ])('an answer of %i (%s) gives its own message', async (status, code, message, retry) => {
    backend.on('POST /api/me/avatar', () => error(status, code))
    const page = await open()
    await chooseAvatar(page)
    expect(text(page, '#status')).toBe(message)
    expect(exists(page, '#retry-btn')).toBe(retry)
  })

  it('a network failure offers 重试, which uploads the same file again', async () => {
    const page = await open()
    const ok = backend.count('POST /api/me/avatar')
    backend.on('POST /api/me/avatar', () => ({ drop: true }))
    await chooseAvatar(page)
    expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
    backend.on('POST /api/me/avatar', () => ({ status: 200, body: { avatarUrl: 'u', user: USER } }))
    await idle(page, () => page.querySelector('#retry-btn')!.dispatchEvent('tap'))
    expect(text(page, '#status')).toBe('头像已更新')
    expect(backend.count('POST /api/me/avatar')).toBe(ok + 4)
  })

  it('a 401 logs in again and uploads once more', async () => {
    const page = await open()
    backend.tokens.clear()
    await chooseAvatar(page)
    expect(backend.received.slice(-3).map((r) => `${r.method} ${r.path} ${r.token}`)).toEqual([
      'POST /api/me/avatar token-1',
      'POST /api/auth/login null',
      'POST /api/me/avatar token-2',
    ])
    expect(text(page, '#status')).toBe('头像已更新')
  })
})

describe('nickname fill-in', () => {
  beforeEach(() => {
    backend.on('PUT /api/me/profile', (req) => ({
      status: 200,
      body: { user: { ...USER, nickName: (req.body as { nickName: string }).nickName } },
    }))
  })

  it('saves the trimmed nickname from the form and shows it', async () => {
    const page = await open()
    await saveNickname(page, '  小明  ')
    expect(backend.received.at(-1)).toMatchObject({ method: 'PUT', body: { nickName: '小明' } })
    expect(text(page, '#nickname')).toBe('小明')
    expect(text(page, '#status')).toBe('昵称已保存')
  })

  it.each([
    ['empty', '   '],
    ['33 characters', '字'.repeat(33)],
    ['a control character', 'a\u0007b'],
    ['reversed by a bidirectional override', 'abc\u202edcba'],
  ])('rejects a nickname that is %s without a request', async (_case, nickName) => {
    const page = await open()
    await saveNickname(page, nickName)
    expect(text(page, '#status')).toBe('昵称需为 1 到 32 个字，且不能含特殊字符')
    expect(backend.count('PUT /api/me/profile')).toBe(0)
  })

  it('accepts 32 characters, emoji counted as one', async () => {
    const page = await open()
    await saveNickname(page, '😀'.repeat(32))
    expect(backend.count('PUT /api/me/profile')).toBe(1)
  })

  it('explains a nickname that failed WeChat’s review (the platform cleared it)', async () => {
    const page = await open()
    page
      .querySelector('#nickname-input')!
      .dispatchEvent('nicknamereview', { detail: { pass: false, timeout: false } })
    await settle(() => page.data.status !== '')
    expect(text(page, '#status')).toBe('昵称未通过微信安全检查，请换一个')
  })

  it('shows the backend’s verdict on a nickname', async () => {
    backend.on('PUT /api/me/profile', () => error(400, 'NICKNAME_INVALID'))
    const page = await open()
    await saveNickname(page, '小明')
    expect(text(page, '#status')).toBe('昵称需为 1 到 32 个字，且不能含特殊字符')
  })
})

describe('the fill-in gate (2.21.2)', () => {
  it('below it: no avatar button or nickname input, a clear 请升级微信版本', async () => {
    wx.sdkVersion = '2.21.1'
    const page = await open()
    expect(exists(page, '#avatar-btn')).toBe(false)
    expect(exists(page, '#nickname-input')).toBe(false)
    expect(page.dom!.textContent).toContain('请升级微信版本后设置头像和昵称')
  })

  it('from it: both are there', async () => {
    wx.sdkVersion = '2.21.2'
    const page = await open()
    expect(exists(page, '#avatar-btn')).toBe(true)
    expect(exists(page, '#nickname-input')).toBe(true)
  })
})

describe('the privacy agreement before the fill-in', () => {
  beforeEach(() => {
    wx.privacyAgreed = false
  })

  it('asks before the nickname input exists (3.4.x degrades it silently), then focuses it', async () => {
    const page = await open()
    expect(exists(page, '#nickname-input')).toBe(false)
    page.querySelector('#nickname-ask')!.dispatchEvent('tap')
    await settle(() => page.data.privacyVisible === true)
    page
      .querySelector('#privacy-dialog')!
      .querySelector('#privacy-agree')!
      .dispatchEvent('agreeprivacyauthorization')
    await settle(() => exists(page, '#nickname-input'))
    expect(wx.log).toContain('requirePrivacyAuthorize')
    expect(page.data.nicknameFocus).toBe(true)
  })

  it('says so when the user does not agree, beside the nickname', async () => {
    const page = await open()
    page.querySelector('#nickname-ask')!.dispatchEvent('tap')
    await settle(() => page.data.privacyVisible === true)
    page.querySelector('#privacy-dialog')!.querySelector('#privacy-disagree')!.dispatchEvent('tap')
    await settle(() => page.data.status !== '')
    expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能填写昵称')
    expect(page.data.statusAt).toBe('profile')
    expect(exists(page, '#nickname-input')).toBe(false)
  })

  it('选择头像, then 不同意: the avatar chooser fires nothing, so the page says why', async () => {
    const page = await open()
    page.querySelector('#avatar-btn')!.dispatchEvent('tap')
    const gate = wx.privacyGate('button.chooseAvatar')
    await settle(() => page.data.privacyVisible === true)
    page.querySelector('#privacy-dialog')!.querySelector('#privacy-disagree')!.dispatchEvent('tap')
    await expect(gate).resolves.toBe(false)
    await settle(() => page.data.status !== '')
    expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能设置头像')
  })

  it('an agreed user gets the nickname input at once', async () => {
    wx.privacyAgreed = true
    const page = await open()
    expect(exists(page, '#nickname-input')).toBe(true)
    expect(exists(page, '#nickname-ask')).toBe(false)
  })
})
