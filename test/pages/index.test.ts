import { error, useFakeBackend, USER } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import {
  attr,
  exists,
  idle,
  launchApp,
  loadPage,
  openPage,
  settle,
  text,
} from '../support/launch-app'

const backend = useFakeBackend()
const pageId = loadPage('pages/index/index')
let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx()
})

it('follows a cold launch: logging in, then logged in, with links to the other pages', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  expect(text(page, '#state')).toBe('正在登录…')
  await settle(() => app.auth.session.state.status === 'logged-in')
  expect(text(page, '#state')).toBe('已登录')
  expect(exists(page, '#to-login')).toBe(true)
  expect(exists(page, '#to-phone')).toBe(true)
})

it('storage full: the launch ends in 登录失败 with 重试, never an endless 正在登录…', async () => {
  wx.storageFull = true
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status !== 'logging-in')
  expect(text(page, '#state')).toBe('登录失败')
  expect(text(page, '#message')).toBe('手机存储空间不足，登录状态未能保存，请清理后重试')
  expect(wx.storage.has('auth.session')).toBe(false)
  // This run is signed in all the same: what needs the session stays within reach.
  expect(exists(page, '#to-phone')).toBe(true)
  expect(exists(page, '#logout-btn')).toBe(true)

  // Room again: 重试 saves the session this run already uses; no second wx.login.
  wx.storageFull = false
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  await settle(() => app.auth.session.state.status === 'logged-in')
  expect(text(page, '#state')).toBe('已登录')
  expect(wx.storage.has('auth.session')).toBe(true)
  expect(wx.count('login')).toBe(1)
})

it('on a warm start shows the stored profile at once, then the backend’s newer copy', async () => {
  wx.storage.set('auth.session', {
    token: 'stored',
    expiresAt: Date.now() + 3600 * 1000,
    user: { ...USER, nickName: '小明' },
  })
  backend.tokens.add('stored')
  backend.on('GET /api/me', () => ({
    status: 200,
    body: { user: { ...USER, nickName: '小明', phoneNumber: '13800138000' } },
    delayMs: 20,
  }))
  launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  expect(text(page, '#nickname')).toBe('小明')
  expect(exists(page, '#phone')).toBe(false)
  await settle(() => exists(page, '#phone'))
  expect(text(page, '#phone')).toBe('手机号 138****8000')
  expect(wx.count('login')).toBe(0)
})

it('never shows the anonymous placeholder as a name', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'logged-in')
  expect(text(page, '#nickname')).toBe('未设置昵称')
})

it('a failed login says why and offers 重试, which logs in', async () => {
  backend.on('POST /api/auth/login', () => error(503, 'WECHAT_UNAVAILABLE'))
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'error')
  expect(text(page, '#message')).toBe('微信服务繁忙，请稍后重试')
  backend.reset()
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  await settle(() => app.auth.session.state.status === 'logged-in')
  expect(text(page, '#state')).toBe('已登录')
  expect(exists(page, '#message')).toBe(false)
})

it('stays signed in when a login before a tap fails offline while the token still holds', async () => {
  wx.storage.set('auth.session', {
    token: 'stored',
    expiresAt: Date.now() + 3600 * 1000,
    user: { ...USER, nickName: '小明' },
  })
  backend.tokens.add('stored')
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  // The phone page readies its button: WeChat's session lapsed, and the network is gone.
  wx.sessionValid = false
  backend.on('POST /api/auth/login', () => ({ drop: true }))
  await expect(app.auth.phone.prepare()).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
  expect(text(page, '#state')).toBe('已登录')
  expect(exists(page, '#to-phone')).toBe(true)
  expect(exists(page, '#message')).toBe(false)
})

it('a blocked account is told so, without a 重试 that cannot help', async () => {
  backend.on('POST /api/auth/login', () => error(403, 'WECHAT_RISK_BLOCKED'))
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'error')
  expect(text(page, '#message')).toBe('微信判断当前账号存在风险，暂时无法登录，请联系客服')
  expect(exists(page, '#retry-btn')).toBe(false)
})

it('re-renders when another page changes the user (a phone bound)', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'logged-in')
  wx.privacyAgreed = true
  await app.auth.phone.submit(await wx.phoneDetail())
  expect(text(page, '#phone')).toBe('手机号 138****8000')
})

it('shows the avatar and nickname saved on the login page', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'logged-in')
  app.auth.session.setUser({ ...USER, nickName: '小明', avatarUrl: 'https://example.com/a.png' })
  expect(text(page, '#nickname')).toBe('小明')
  expect(attr(page, '.avatar', 'src')).toBe('https://example.com/a.png')
})

it('logout asks first: cancelled, nothing changes', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'logged-in')
  wx.modalConfirms = false
  page.querySelector('#logout-btn')!.dispatchEvent('tap')
  await idle()
  expect(wx.modals).toEqual(['退出登录'])
  expect(backend.count('POST /api/auth/logout')).toBe(0)
  expect(text(page, '#state')).toBe('已登录')
})

it('errno 1402101: WeChat blocks this user’s login; said so, without a 重试 that cannot help', async () => {
  wx.loginBlocked = true
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'error')
  expect(text(page, '#message')).toBe('微信暂时限制了你的账号登录本小程序，请稍后再试或联系客服')
  expect(exists(page, '#retry-btn')).toBe(false)
  expect(wx.count('login')).toBe(1)
})

it('logout, confirmed, clears the token and shows the login button', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  const page = openPage(pageId)
  await settle(() => app.auth.session.state.status === 'logged-in')
  page.querySelector('#logout-btn')!.dispatchEvent('tap')
  await settle(() => backend.count('POST /api/auth/logout') === 1)
  expect(wx.storage.has('auth.session')).toBe(false)
  expect(text(page, '#state')).toBe('未登录')
  expect(exists(page, '#login-btn')).toBe(true)
  expect(backend.received.at(-1)!.token).toBe('token-1')
})
