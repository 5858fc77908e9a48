import { error, EXPORT, USER, useFakeBackend } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import {
  exists,
  idle,
  launchApp,
  loadPage,
  openPage,
  type Rendered,
  settle,
  text,
} from '../support/launch-app'

const backend = useFakeBackend()
const accountPage = loadPage('pages/account/index')
const homePage = loadPage('pages/index/index')
let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx()
  wx.privacyAgreed = true
})

/** The app launched and logged in (with a number bound unless `phone` is null), then the page. */
async function open(phone: string | null = '13800138000'): Promise<Rendered> {
  backend.on('POST /api/auth/login', () => ({
    status: 200,
    body: { ...backend.issue(), user: { ...USER, phoneNumber: phone } },
  }))
  const app = launchApp(wx, { baseUrl: backend.url })
  await settle(() => app.auth.session.state.status === 'logged-in')
  return openPage(accountPage)
}

/** A tap, the modal answered as wx.modalConfirms says, and the page's work until it is idle. */
async function tap(page: Rendered, id: string): Promise<void> {
  page.querySelector(id)!.dispatchEvent('tap')
  await idle()
}

const sessionOf = () => getApp<IAppOption>().auth.session

describe('the phone number', () => {
  it('shows it masked, with 解绑手机号', async () => {
    const page = await open()
    expect(text(page, '#account-phone')).toBe('138****8000')
    expect(exists(page, '#unbind-phone-btn')).toBe(true)
  })

  it('without one: 未绑定, and nothing to unbind', async () => {
    const page = await open(null)
    expect(text(page, '#account-phone')).toBe('未绑定')
    expect(exists(page, '#unbind-phone-btn')).toBe(false)
  })

  it('解绑手机号 asks first: cancelled, nothing is sent', async () => {
    const page = await open()
    wx.modalConfirms = false
    await tap(page, '#unbind-phone-btn')
    expect(wx.modals).toEqual(['解绑手机号'])
    expect(backend.count('DELETE /api/me/phone')).toBe(0)
    expect(text(page, '#account-phone')).toBe('138****8000')
  })

  it('解绑手机号, confirmed: the number is gone here and from the session', async () => {
    const page = await open()
    await tap(page, '#unbind-phone-btn')
    expect(backend.received.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/api/me/phone',
      token: 'token-1',
    })
    expect(text(page, '#status')).toBe('手机号已解绑')
    expect(text(page, '#account-phone')).toBe('未绑定')
    expect(exists(page, '#unbind-phone-btn')).toBe(false)
    expect(sessionOf().user?.phoneNumber).toBeNull()
  })

  it('a failure says what to do and offers 重试, which unbinds', async () => {
    const page = await open()
    backend.on('DELETE /api/me/phone', () => ({ drop: true }))
    await tap(page, '#unbind-phone-btn')
    expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
    backend.on('DELETE /api/me/phone', () => ({ status: 200, body: { user: USER } }))
    await tap(page, '#retry-btn')
    expect(text(page, '#status')).toBe('手机号已解绑')
    expect(wx.modals).toEqual(['解绑手机号'])
  })
})

describe('退出所有设备', () => {
  it('asks, ends every session on the backend, forgets this one and goes home', async () => {
    const page = await open()
    await tap(page, '#logout-all-btn')
    expect(wx.modals).toEqual(['退出所有设备'])
    expect(backend.count('POST /api/auth/logout-all')).toBe(1)
    expect(sessionOf().state).toEqual({ status: 'anonymous' })
    expect(wx.storage.has('auth.session')).toBe(false)
    expect(wx.toasts).toEqual(['已退出所有设备'])
    expect(wx.relaunched).toEqual(['/pages/index/index'])
  })
})

describe('查看我的数据', () => {
  it('shows everything held in WeChat’s modal, the full number included; 复制 copies it', async () => {
    const page = await open()
    await tap(page, '#export-btn')
    expect(wx.modals).toEqual(['我的数据'])
    const lines = wx.modalContents[0].split('\n')
    expect(lines).toEqual([
      '用户编号：u_1',
      '昵称：未设置',
      '头像：未设置',
      '手机号：13800138000',
      'UnionID：oUnion_1',
      '注册时间：2026-01-01 09:30',
      '最近登录：2026-01-02 08:05',
      '登录设备：2 台，最早 2026-01-01 09:30',
      '导出时间：2026-01-02 10:00',
    ])
    expect(wx.clipboard).toEqual([wx.modalContents[0]])
    expect(text(page, '#status')).toBe('已复制，可以粘贴保存')
  })

  it('closed without 复制, nothing is copied', async () => {
    const page = await open()
    wx.modalConfirms = false
    await tap(page, '#export-btn')
    expect(wx.modals).toEqual(['我的数据'])
    expect(wx.clipboard).toEqual([])
  })

  it('an answer that is not the contract’s shows nothing of it, with 重试', async () => {
    const page = await open()
    backend.on('GET /api/me/export', () => ({ status: 200, body: { user: EXPORT.user } }))
    await tap(page, '#export-btn')
    expect(wx.modals).toEqual([])
    expect(exists(page, '#retry-btn')).toBe(true)
  })

  it('copying asks for the privacy agreement first; 不同意 says why nothing was copied', async () => {
    const page = await open()
    wx.privacyAgreed = false
    page.querySelector('#export-btn')!.dispatchEvent('tap')
    await settle(() => page.data.privacyVisible === true)
    page.querySelector('#privacy-dialog')!.querySelector('#privacy-disagree')!.dispatchEvent('tap')
    await settle(() => page.data.error === true)
    expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能复制数据')
    expect(wx.clipboard).toEqual([])
  })
})

describe('注销账号', () => {
  it('asks first, saying what is deleted, that it cannot be undone and what the next launch does', async () => {
    const page = await open()
    wx.modalConfirms = false
    await tap(page, '#delete-account-btn')
    expect(wx.modals).toEqual(['注销账号'])
    const [content] = wx.modalContents
    for (const said of ['昵称', '头像', '手机号', '所有设备', '无法恢复', '新的空账号']) {
      expect([said, content.includes(said)]).toEqual([said, true])
    }
    expect(backend.count('DELETE /api/me')).toBe(0)
    expect(sessionOf().state.status).toBe('logged-in')
  })

  it('confirmed: the account is deleted, the anonymous home shows, and nothing logs in again', async () => {
    const page = await open()
    const logins = wx.count('login')
    await tap(page, '#delete-account-btn')
    expect(backend.received.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/me' })
    expect(wx.storage.has('auth.session')).toBe(false)
    expect(wx.toasts).toEqual(['账号已注销'])
    expect(wx.relaunched).toEqual(['/pages/index/index'])

    // wx.reLaunch opens the home page anew: anonymous, with 登录, and no silent login.
    const home = openPage(homePage)
    await idle()
    expect(text(home, '#state')).toBe('未登录')
    expect(exists(home, '#login-btn')).toBe(true)
    expect(exists(home, '#to-account')).toBe(false)
    expect(wx.count('login')).toBe(logins)
  })

  it('a failure keeps the account and the session, and 重试 deletes it', async () => {
    const page = await open()
    backend.on('DELETE /api/me', () => error(503, 'STORE_UNAVAILABLE'))
    await tap(page, '#delete-account-btn')
    expect(text(page, '#status')).toBe('服务暂时不可用，请稍后重试')
    expect(sessionOf().state.status).toBe('logged-in')
    expect(wx.relaunched).toEqual([])
    backend.on('DELETE /api/me', () => ({ status: 204 }))
    await tap(page, '#retry-btn')
    expect(sessionOf().state).toEqual({ status: 'anonymous' })
    expect(wx.relaunched).toEqual(['/pages/index/index'])
  })

  it('ignores a second tap while one is under way', async () => {
    const page = await open()
    backend.on('DELETE /api/me', () => ({ status: 204, delayMs: 20 }))
    page.querySelector('#delete-account-btn')!.dispatchEvent('tap')
    await settle(() => page.data.busy === true)
    await tap(page, '#delete-account-btn')
    expect(backend.count('DELETE /api/me')).toBe(1)
    expect(wx.modals).toEqual(['注销账号'])
  })
})

it('is reached from the home page by 账号与安全', async () => {
  await open()
  const home = openPage(homePage)
  expect(text(home, '#to-account')).toContain('账号与安全')
})
