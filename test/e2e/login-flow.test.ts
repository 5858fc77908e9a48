/**
 * End to end, as a user drives it: the real app.ts and pages under miniprogram-simulate, the real
 * reference server in its own process over HTTP on 127.0.0.1, and WeChat emulated only where WeChat
 * itself would be — login codes and consent payloads come from the emulator's control API.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { User } from '../../miniprogram/auth/index'
import type { FakeWx } from '../support/fake-wx'
import { emulatedUser } from '../support/emulated-user'
import {
  exists,
  launchApp,
  loadPage,
  openPage,
  settle,
  tapPhoneButton,
  text,
  type Rendered,
} from '../support/launch-app'
import { fetchFile, ServerProcess } from '../support/server-process'
import type { WechatApiName } from '../../emulator/client'

jest.setTimeout(30000)

const server = new ServerProcess()
const home = loadPage('pages/index/index')
const phone = loadPage('pages/phone/index')
const login = loadPage('pages/login/index')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-avatar-'))

beforeAll(() => server.start())
afterAll(async () => {
  await server.dispose()
  fs.rmSync(tmp, { recursive: true, force: true })
})
afterEach(() => server.control.reset())

/** A WeChat user on a phone, whose codes and payloads come from the server's emulator. */
function phoneOf(sdkVersion?: string) {
  return emulatedUser(server.control, sdkVersion)
}

function launch(wx: FakeWx): IAppOption {
  return launchApp(wx, { baseUrl: server.url })
}

async function loggedIn(app: IAppOption): Promise<string> {
  await settle(() => app.auth.session.state.status === 'logged-in')
  const token = app.auth.session.validToken()
  if (token === null) throw new Error('logged in without a token')
  return token
}

/** What the server holds for this token, asked directly, not through the app. */
async function stored(token: string): Promise<User> {
  return (await server.call<{ user: User }>('GET', '/api/me', undefined, token)).user
}

async function wechatCalls(api: WechatApiName): Promise<number> {
  return (await server.control.stats()).calls[api]
}

function openReady(id: string): Promise<Rendered> {
  const page = openPage(id)
  return settle(() => page.data.ready === true).then(() => page)
}

/** A tap on the phone button; when WeChat asks for privacy consent, the user answers in the dialog. */
async function tapPhone(page: Rendered, wx: FakeWx, answer: 'agree' | 'disagree' = 'agree') {
  const asks = wx.asksPrivacy
  const gate = wx.privacyGate('button.getPhoneNumber')
  if (asks) {
    const dialog = page.querySelector('#privacy-dialog')!
    await settle(() => dialog.data.visible === true)
    dialog
      .querySelector(answer === 'agree' ? '#privacy-agree' : '#privacy-disagree')!
      .dispatchEvent(answer === 'agree' ? 'agreeprivacyauthorization' : 'tap')
  }
  const detail = (await gate)
    ? await wx.phoneDetail()
    : { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }
  const before = page.data.status
  page.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', { detail })
  await settle(() => page.data.busy === false && page.data.status !== before)
}

it('1. cold launch: logged in silently, the home page shows it', async () => {
  const calls = await wechatCalls('jscode2session')
  const { wx } = phoneOf()
  const app = launch(wx)
  const page = openPage(home)
  const token = await loggedIn(app)
  expect(text(page, '#state')).toBe('已登录')
  expect((await stored(token)).id).toBe(app.auth.session.user!.id)
  expect(wx.count('login')).toBe(1)
  expect(await wechatCalls('jscode2session')).toBe(calls + 1)
})

it('2. phone page → tap → privacy consent → the masked number; the server holds it', async () => {
  const { wx } = phoneOf('2.32.3')
  const app = launch(wx)
  const token = await loggedIn(app)
  const page = await openReady(phone)
  await tapPhone(page, wx, 'agree')
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect(page.data.done).toBe(true)
  expect((await stored(token)).phoneNumber).toBe('13800138000')
})

it('3. the legacy payload (no code, base library 2.20) is decrypted by the server', async () => {
  const { wx } = phoneOf('2.20.0')
  const app = launch(wx)
  const token = await loggedIn(app)
  const byCode = await wechatCalls('getuserphonenumber')
  const page = await openReady(phone)
  await tapPhone(page, wx)
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect((await stored(token)).phoneNumber).toBe('13800138000')
  expect(await wechatCalls('getuserphonenumber')).toBe(byCode)
})

it('3b. the real-time button (phoneKind realtime): its code is redeemed as the fast button’s', async () => {
  const { wx } = phoneOf('3.4.0')
  wx.privacyAgreed = true
  const app = launchApp(wx, { baseUrl: server.url, phoneKind: 'realtime' })
  const token = await loggedIn(app)
  const page = await openReady(phone)
  const fired = await tapPhoneButton(wx, page)
  await settle(() => page.data.done === true)
  expect(fired && fired.event).toBe('getrealtimephonenumber')
  expect(wx.billed).toEqual(['realtime'])
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect((await stored(token)).phoneNumber).toBe('13800138000')
})

it('4. session_key rotated between login and tap: SESSION_KEY_STALE, a new login, the second tap works', async () => {
  const { wx, openid } = phoneOf('2.20.0')
  const app = launch(wx)
  await loggedIn(app)
  const page = await openReady(phone)
  await server.control.rotateSessionKey(openid)
  await tapPhone(page, wx)
  expect(text(page, '#status')).toBe('登录状态已更新，请再点一次按钮')
  expect(wx.count('login')).toBe(2)
  await tapPhone(page, wx)
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect((await stored(app.auth.session.validToken()!)).phoneNumber).toBe('13800138000')
})

it('4b. the token dies before the tap: a login after the answer, the same phone code again — one tap', async () => {
  const { wx } = phoneOf()
  wx.privacyAgreed = true
  const app = launch(wx)
  const token = await loggedIn(app)
  const page = await openReady(phone)
  // Logged out elsewhere (or expired on the server) while the page was open.
  await server.call('POST', '/api/auth/logout', {}, token)
  await tapPhone(page, wx)
  // The code was not spent by the first POST (401 comes before redemption), so the second works.
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect(wx.count('POST /api/auth/phone')).toBe(2)
  expect(wx.count('login')).toBe(2)
  expect((await stored(app.auth.session.validToken()!)).phoneNumber).toBe('13800138000')
})

it('5. the user denies, or disagrees with the privacy guideline: nothing is sent', async () => {
  const { wx } = phoneOf('2.32.3')
  const app = launch(wx)
  const token = await loggedIn(app)
  const page = await openReady(phone)
  await tapPhone(page, wx, 'disagree')
  expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能获取手机号')
  wx.privacyAgreed = true
  const before = page.data.status
  page
    .querySelector('#phone-btn')!
    .dispatchEvent('getphonenumber', { detail: { errMsg: 'getPhoneNumber:fail user deny' } })
  await settle(() => page.data.status !== before)
  expect(text(page, '#status')).toBe('你取消了授权，需要时可再点一次按钮')
  expect(wx.count('POST /api/auth/phone')).toBe(0)
  expect((await stored(token)).phoneNumber).toBeNull()
})

it('6. the token dies on the server while 10 requests are in flight: one new login, all succeed', async () => {
  const { wx } = phoneOf()
  const app = launch(wx)
  const token = await loggedIn(app)
  // Another device logs this token out: from now on the server answers 401 to it.
  await server.call('POST', '/api/auth/logout', {}, token)
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      app.auth.requester.request<{ user: User }>({ path: '/api/me' }),
    ),
  )
  expect(answers.every((a) => a.user.id === app.auth.session.user!.id)).toBe(true)
  expect(wx.count('login')).toBe(2)
  expect(wx.count('POST /api/auth/login')).toBe(2)
  expect(wx.count('GET /api/me')).toBe(20)
  expect(app.auth.session.validToken()).not.toBe(token)
})

it('7. the server restarts between two actions: the user, the phone and the token are still there', async () => {
  const { wx } = phoneOf()
  const app = launch(wx)
  const token = await loggedIn(app)
  const page = await openReady(phone)
  wx.privacyAgreed = true
  await tapPhone(page, wx)
  const before = app.auth.session.user!
  await server.restart()
  const { user } = await app.auth.requester.request<{ user: User }>({ path: '/api/me' })
  expect(user).toEqual(before)
  expect(user.phoneNumber).toBe('13800138000')
  expect(app.auth.session.validToken()).toBe(token)
  expect(wx.count('login')).toBe(1)
})

it('8. WeChat busy (-1): a clear error; once WeChat is back, 重试 logs in', async () => {
  await server.control.addFault({ api: 'jscode2session', errcode: -1, times: 1000 })
  const { wx } = phoneOf()
  const app = launch(wx)
  const page = openPage(home)
  await settle(() => app.auth.session.state.status === 'error')
  expect(text(page, '#message')).toBe('微信服务繁忙，请稍后重试')
  await server.control.reset()
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  await loggedIn(app)
  expect(text(page, '#state')).toBe('已登录')
  expect(exists(page, '#message')).toBe(false)
})

it('9. login page: getUserInfo, then an avatar upload and a nickname, all kept by the server', async () => {
  const { wx } = phoneOf()
  wx.privacyAgreed = true
  const app = launch(wx)
  const token = await loggedIn(app)
  const page = await openReady(login)

  const idle = async (trigger: () => void) => {
    const before = page.data.status
    trigger()
    await settle(() => page.data.busy === false && page.data.status !== before)
  }

  const detail = await wx.userInfoDetail()
  await idle(() => page.querySelector('#userinfo-btn')!.dispatchEvent('getuserinfo', { detail }))
  expect(text(page, '#nickname')).toBe('Band')

  const avatar = path.join(tmp, 'tmp_avatar.png')
  fs.writeFileSync(avatar, pngBytes())
  await idle(() =>
    page
      .querySelector('#avatar-btn')!
      .dispatchEvent('chooseavatar', { detail: { avatarUrl: avatar } }),
  )
  expect(text(page, '#status')).toBe('头像已更新')
  const { avatarUrl } = await stored(token)
  expect(avatarUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
  const image = await fetchFile(avatarUrl!)
  expect(image).toEqual({ status: 200, type: 'image/png', bytes: pngBytes().length })

  await idle(() =>
    page
      .querySelector('#profile-form')!
      .dispatchEvent('submit', { detail: { value: { nickName: ' 小明 ' } } }),
  )
  expect(text(page, '#status')).toBe('昵称已保存')
  expect(text(page, '#nickname')).toBe('小明')
  expect((await stored(token)).nickName).toBe('小明')
})

/** A 1×1 PNG, as chooseAvatar would hand over. */
function pngBytes(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  )
}
