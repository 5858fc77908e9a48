import { error, useFakeBackend } from '../support/fake-backend'
import { FakeWx, type PhoneKind } from '../support/fake-wx'
import {
  attr,
  exists,
  idle,
  launchApp,
  loadPage,
  openPage,
  openReady,
  type Rendered,
  settle,
  tapPhoneButton,
  text,
} from '../support/launch-app'

const backend = useFakeBackend()
const pageId = loadPage('pages/phone/index')
let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx()
  wx.privacyAgreed = true
})

function open(): Promise<Rendered> {
  return openReady(wx, backend.url, pageId)
}

/** What WeChat does on a tap: the event, then the handler's work until the page is idle again. */
async function tap(page: Rendered, detail: WechatMiniprogram.PhoneNumberDetail): Promise<void> {
  page.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', { detail })
  await settle(() => page.data.busy === true || page.data.status !== '')
  await settle(() => page.data.busy === false)
}

function phonePosts(): unknown[] {
  return backend.received.filter((r) => r.path === '/api/auth/phone').map((r) => r.body)
}

describe('before the tap', () => {
  it('calls wx.checkSession when the page shows, and enables the button', async () => {
    const page = await open()
    expect(wx.count('checkSession')).toBe(1)
    expect(wx.count('login')).toBe(1)
    expect(attr(page, '#phone-btn', 'disabled')).toBe(false)
  })

  it('logs in again when the session_key has expired, before the user taps', async () => {
    wx.sessionValid = false
    await open()
    expect(wx.log.slice(-3)).toEqual(['checkSession', 'login', 'POST /api/auth/login'])
  })
})

describe('the getphonenumber callback', () => {
  it('posts the code, encryptedData and iv with the token, shows the masked number, disables the button', async () => {
    const page = await open()
    await tap(page, await wx.phoneDetail())
    expect(backend.received.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/auth/phone',
      token: 'token-1',
      body: { code: 'phone-code', encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' },
    })
    expect(text(page, '#phone-number')).toBe('138****8000')
    expect(text(page, '#status')).toBe('手机号已绑定')
    expect(page.data.done).toBe(true)
    expect(attr(page, '#phone-btn', 'disabled')).toBe(true)
  })

  it('ignores a second tap once the number is bound: WeChat bills each success', async () => {
    const page = await open()
    await tap(page, await wx.phoneDetail())
    page
      .querySelector('#phone-btn')!
      .dispatchEvent('getphonenumber', { detail: await wx.phoneDetail() })
    await idle()
    expect(phonePosts()).toHaveLength(1)
  })

  it('a dead token at tap time: a login after the answer, the same code again — one tap', async () => {
    const page = await open()
    backend.tokens.clear()
    const before = wx.log.length
    await tap(page, await wx.phoneDetail())
    expect(wx.log.slice(before)).toEqual([
      'POST /api/auth/phone',
      'login',
      'POST /api/auth/login',
      'POST /api/auth/phone',
    ])
    expect(phonePosts().at(-1)).toEqual({ code: 'phone-code' })
    expect(text(page, '#phone-number')).toBe('138****8000')
    expect(page.data.done).toBe(true)
  })

  it('a dead token and only the legacy payload: never wx.login before the answer, then 再点一次', async () => {
    wx.sdkVersion = '2.20.0'
    const page = await open()
    backend.tokens.clear()
    const before = wx.log.length
    await tap(page, await wx.phoneDetail())
    expect(wx.log.slice(before)).toEqual(['POST /api/auth/phone', 'login', 'POST /api/auth/login'])
    expect(text(page, '#status')).toBe('登录状态已更新，请再点一次按钮')
    expect(exists(page, '#retry-btn')).toBe(false)
  })

  it('a token that entered its expiry margin while the page was open is still sent: no login first', async () => {
    const app = launchApp(wx, { baseUrl: backend.url })
    await settle(() => app.auth.session.state.status === 'logged-in')
    const page = openPage(pageId)
    await settle(() => page.data.ready === true)
    // As if the page had stayed open until the token's last moments (the skew covers its life).
    app.auth.config.expirySkewMs = 2 * 3600 * 1000
    const before = wx.log.length
    await tap(page, await wx.phoneDetail())
    expect(wx.log.slice(before)).toEqual(['POST /api/auth/phone'])
    expect(backend.received.at(-1)!.token).toBe('token-1')
    expect(text(page, '#phone-number')).toBe('138****8000')
  })

  it('does not prepare again when the page shows mid-submit (back from a native sheet)', async () => {
    wx.sessionValid = false
    const page = await open()
    const before = wx.log.length
    backend.on('POST /api/auth/phone', () => ({
      status: 200,
      body: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' },
      delayMs: 50,
    }))
    page
      .querySelector('#phone-btn')!
      .dispatchEvent('getphonenumber', { detail: await wx.phoneDetail() })
    await settle(() => page.data.busy === true)
    ;(page.instance as { onShow(): void }).onShow()
    await settle(() => page.data.done === true)
    expect(wx.log.slice(before)).toEqual(['POST /api/auth/phone'])
  })

  it('posts the legacy payload when the base library gives no code (below 2.21.2)', async () => {
    wx.sdkVersion = '2.20.0'
    const page = await open()
    await tap(page, await wx.phoneDetail())
    expect(phonePosts()).toEqual([
      { encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' },
    ])
    expect(text(page, '#phone-number')).toBe('138****8000')
  })

  it('shows the number already bound to the user when the page opens', async () => {
    backend.on('POST /api/auth/login', () => ({
      status: 200,
      body: {
        ...backend.issue(),
        user: { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: '13912345678' },
      },
    }))
    const page = await open()
    expect(text(page, '#phone-number')).toBe('139****5678')
    // A new tap replaces the number (and WeChat bills it): the page says so, the button too.
    expect(text(page, '.bound__tip')).toBe('再次获取会替换这个号码')
    expect(text(page, '#phone-btn')).toBe('更换手机号')
  })
})

describe('each way the tap can go wrong has its own message', () => {
  it.each([
    ['iOS', 'getPhoneNumber:fail user deny'],
    ['Android', 'getPhoneNumber:fail:user deny'],
    ['cancel', 'getPhoneNumber:fail:user cancel'],
  ])('the user denies (%s wording): no request, a way back', async (_platform, errMsg) => {
    const page = await open()
    await tap(page, { errMsg })
    expect(text(page, '#status')).toBe('你取消了授权，需要时可再点一次按钮')
    expect(phonePosts()).toEqual([])
    expect(page.data.done).toBe(false)
  })

  it('an account that may not use the API: says it is not the user’s fault', async () => {
    const page = await open()
    await tap(page, { errMsg: 'getPhoneNumber:fail no permission' })
    expect(text(page, '#status')).toBe(
      '本小程序暂未开通获取手机号的能力，不是你的问题，请改用其他方式',
    )
    expect(phonePosts()).toEqual([])
  })

  it('errno 1400001: the quota is used up', async () => {
    const page = await open()
    await tap(page, { errMsg: 'getPhoneNumber:fail quota exhausted', errno: 1400001 })
    expect(text(page, '#status')).toBe('暂时无法验证手机号，请改用其他方式或稍后再试')
  })

  it('errno 104: the privacy guideline was not agreed', async () => {
    const page = await open()
    await tap(page, {
      errMsg: 'getPhoneNumber:fail privacy permission is not authorized',
      errno: 104,
    })
    expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能获取手机号')
  })

  it('errno 112: undeclared in the guideline — the user is told, the developer too, in the console', async () => {
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined)
    const page = await open()
    await tap(page, {
      errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement',
      errno: 112,
    })
    expect(text(page, '#status')).toBe('小程序暂时无法获取手机号，请联系客服')
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('用户隐私保护指引'))
    consoleError.mockRestore()
  })

  it('SESSION_KEY_STALE: logs in again after the answer, asks for one more tap, which succeeds', async () => {
    const page = await open()
    let calls = 0
    backend.on('POST /api/auth/phone', () =>
      ++calls === 1
        ? error(409, 'SESSION_KEY_STALE')
        : {
            status: 200,
            body: { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' },
          },
    )
    const before = wx.log.length
    await tap(page, await wx.phoneDetail())
    expect(wx.log.slice(before)).toEqual(['POST /api/auth/phone', 'login', 'POST /api/auth/login'])
    expect(text(page, '#status')).toBe('登录状态已更新，请再点一次按钮')
    expect(page.data.done).toBe(false)
    await tap(page, await wx.phoneDetail())
    expect(text(page, '#phone-number')).toBe('138****8000')
    expect(backend.received.at(-1)!.token).toBe('token-2')
  })

  it('a network failure offers 重试, which re-sends the same payload without a new tap', async () => {
    const page = await open()
    backend.on('POST /api/auth/phone', () => ({ drop: true }))
    await tap(page, await wx.phoneDetail())
    expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
    expect(exists(page, '#retry-btn')).toBe(true)
    backend.reset()
    backend.tokens.add('token-1')
    page.querySelector('#retry-btn')!.dispatchEvent('tap')
    await settle(() => page.data.done === true)
    expect(phonePosts()).toEqual([
      { code: 'phone-code', encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' },
    ])
    expect(text(page, '#phone-number')).toBe('138****8000')
    expect(exists(page, '#retry-btn')).toBe(false)
  })

  it('keeps 重试 and the unspent payload when the user leaves to fix the network and comes back', async () => {
    wx.sdkVersion = '2.20.0' // encryptedData only: a login now would spoil it
    const page = await open()
    backend.on('POST /api/auth/phone', () => ({ drop: true }))
    await tap(page, await wx.phoneDetail())
    expect(exists(page, '#retry-btn')).toBe(true)
    // A second tap would be billed again: only 重试 is offered.
    expect(attr(page, '#phone-btn', 'disabled')).toBe(true)
    backend.reset()
    backend.tokens.add('token-1')
    wx.sessionValid = false // WeChat's session lapsed while the user was away
    const before = wx.log.length
    ;(page.instance as { onShow(): void }).onShow()
    await idle()
    expect(wx.log.slice(before)).toEqual([])
    expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
    page.querySelector('#retry-btn')!.dispatchEvent('tap')
    await settle(() => page.data.done === true)
    expect(wx.log.slice(before)).toEqual(['POST /api/auth/phone'])
    expect(phonePosts()).toHaveLength(1)
    expect(text(page, '#phone-number')).toBe('138****8000')
  })

  it('a page opened anew finds the unspent payload and offers 重试 for it: no tap is thrown away', async () => {
    const first = await open()
    backend.on('POST /api/auth/phone', () => ({ drop: true }))
    await tap(first, await wx.phoneDetail())
    first.detach()
    backend.reset()
    backend.tokens.add('token-1')
    const again = openPage(pageId)
    await settle(() => again.data.canRetry === true)
    expect(text(again, '#status')).toBe('网络连接失败，请检查网络后重试')
    expect(attr(again, '#phone-btn', 'disabled')).toBe(true)
    again.querySelector('#retry-btn')!.dispatchEvent('tap')
    await settle(() => again.data.done === true)
    expect(phonePosts()).toHaveLength(1)
    expect(wx.billed).toEqual([])
    expect(text(again, '#phone-number')).toBe('138****8000')
  })

  it('errno 1421102: WeChat keeps this user’s number from the mini-program', async () => {
    const page = await open()
    await tap(page, { errMsg: 'getPhoneNumber:fail user is blocked', errno: 1421102 })
    expect(text(page, '#status')).toBe('微信暂时限制了你的账号向本小程序提供手机号，请改用其他方式')
    expect(exists(page, '#retry-btn')).toBe(false)
  })

  it('gives the button back when the resend is answered with a tap to make again', async () => {
    const page = await open()
    backend.on('POST /api/auth/phone', () => ({ drop: true }))
    await tap(page, await wx.phoneDetail())
    backend.on('POST /api/auth/phone', () => error(400, 'WECHAT_CODE_INVALID'))
    page.querySelector('#retry-btn')!.dispatchEvent('tap')
    await settle(
      () => page.data.busy === false && page.data.status === '授权已过期，请再点一次按钮',
    )
    expect(exists(page, '#retry-btn')).toBe(false)
    expect(attr(page, '#phone-btn', 'disabled')).toBe(false)
  })

  it('a phone code that expired meanwhile asks for a new tap', async () => {
    const page = await open()
    backend.on('POST /api/auth/phone', () => error(400, 'WECHAT_CODE_INVALID'))
    await tap(page, await wx.phoneDetail())
    expect(text(page, '#status')).toBe('授权已过期，请再点一次按钮')
    expect(exists(page, '#retry-btn')).toBe(false)
  })

  it.each([
    ['did not answer in time', 503, 'WECHAT_UNAVAILABLE', '微信服务繁忙，请稍后再点一次按钮'],
    ['answered nonsense', 502, 'WECHAT_BAD_ANSWER', '微信服务异常，请稍后再点一次按钮'],
  ])(
    'WeChat %s: the code may be spent, so a new tap — said so, no 重试 that would send it again',
    async (_case, status, code, message) => {
      const page = await open()
      backend.on('POST /api/auth/phone', () => error(status, code))
      await tap(page, await wx.phoneDetail())
      expect(text(page, '#status')).toBe(message)
      expect(exists(page, '#retry-btn')).toBe(false)
      expect(attr(page, '#phone-btn', 'disabled')).toBe(false)
      backend.reset()
      await tap(page, await wx.phoneDetail())
      expect(text(page, '#status')).toBe('手机号已绑定')
      // One post per tap: the first tap's code was never sent again.
      expect(phonePosts()).toHaveLength(2)
    },
  )

  it('when preparing fails (offline), says so and 重试 prepares again', async () => {
    backend.on('POST /api/auth/login', () => ({ drop: true }))
    launchApp(wx, { baseUrl: backend.url })
    const page = openPage(pageId)
    await settle(() => page.data.canRetry === true)
    expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
    expect(page.data.ready).toBe(false)
    backend.reset()
    page.querySelector('#retry-btn')!.dispatchEvent('tap')
    await settle(() => page.data.ready === true)
    expect(text(page, '#status')).toBe('')
  })
})

describe('the phone kind (config phoneKind) and the base-library gates', () => {
  const PLAIN = 'getPhoneNumber'
  const REALTIME = 'getRealtimePhoneNumber'
  const AND_PRIVACY = '|agreePrivacyAuthorization'
  const LEGACY = { encryptedData: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' }
  const FAST = { code: 'phone-code', ...LEGACY }

  /** The page as configured, opened on a WeChat of `version`, tapped as WeChat would. */
  async function openAndTap(kind: PhoneKind, version: string) {
    wx.sdkVersion = version
    const app = launchApp(wx, { baseUrl: backend.url, phoneKind: kind })
    await settle(() => app.auth.session.state.status === 'logged-in')
    const page = openPage(pageId)
    await settle(() => page.data.ready === true)
    const fired = await tapPhoneButton(wx, page)
    await settle(() => page.data.busy === false && page.data.status !== '')
    return { page, fired }
  }

  it.each([
    // kind, base library, open-type rendered, event fired, billed as, posted
    ['fast', '2.20.0', PLAIN, 'getphonenumber', 'fast', LEGACY],
    ['fast', '2.21.2', PLAIN, 'getphonenumber', 'fast', FAST],
    ['realtime', '2.20.0', PLAIN, 'getphonenumber', 'fast', LEGACY],
    ['realtime', '2.24.3', PLAIN, 'getphonenumber', 'fast', FAST],
    ['realtime', '2.24.4', REALTIME, 'getrealtimephonenumber', 'realtime', { code: 'phone-code' }],
    ['fast', '2.33.0', PLAIN, 'getphonenumber', 'fast', FAST],
    ['realtime', '2.33.0', REALTIME, 'getrealtimephonenumber', 'realtime', { code: 'phone-code' }],
    ['fast', '2.33.1', PLAIN + AND_PRIVACY, 'getphonenumber', 'fast', FAST],
    [
      'realtime',
      '2.33.1',
      REALTIME + AND_PRIVACY,
      'getrealtimephonenumber',
      'realtime',
      { code: 'phone-code' },
    ],
  ] as const)(
    '%s on %s: open-type %s, WeChat fires %s, bills %s, the backend gets %j',
    async (kind, version, openType, event, billed, posted) => {
      const { page, fired } = await openAndTap(kind, version)
      expect(attr(page, '#phone-btn', 'openType')).toBe(openType)
      expect(fired && fired.event).toBe(event)
      expect(wx.billed).toEqual([billed])
      expect(phonePosts()).toEqual([posted])
      expect(text(page, '#phone-number')).toBe('138****8000')
    },
  )

  it.each(['fast', 'realtime'] as const)(
    '%s, quota used up, from 3.0.1: WeChat’s own sheet is off, the page’s message is the one read',
    async (kind) => {
      wx.phoneQuota = 0
      const { page } = await openAndTap(kind, '3.0.1')
      expect(attr(page, '#phone-btn', 'phoneNumberNoQuotaToast')).toBe(false)
      expect(wx.platformSheets).toEqual([])
      expect(text(page, '#status')).toBe('暂时无法验证手机号，请改用其他方式或稍后再试')
      expect(phonePosts()).toEqual([])
    },
  )

  it.each(['fast', 'realtime'] as const)(
    '%s, quota used up, below 3.0.1: WeChat’s sheet shows (it cannot be turned off), then the page’s message',
    async (kind) => {
      wx.phoneQuota = 0
      const { page } = await openAndTap(kind, '3.0.0')
      expect(wx.platformSheets).toEqual(['quota'])
      expect(text(page, '#status')).toBe('暂时无法验证手机号，请改用其他方式或稍后再试')
      expect(wx.billed).toEqual([])
    },
  )
})
