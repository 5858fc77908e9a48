/**
 * The browser preview in Debian's Chromium, driven by playwright-core: the real server in its own
 * process (development mode, the emulator on), the real app.ts and pages in the phone frame, every
 * flow tapped through as a person would, and each state's screenshot written to docs/screenshots.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type FrameLocator,
  type Page,
} from 'playwright-core'
import { png } from '../../common/images'
import { describeWhenAvailable } from '../support/needs'
import { ServerProcess } from '../support/server-process'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots')
// The machine has no network: nothing of Chromium's own may try to reach it.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

function chromiumMissing(): string | null {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK)
    return null
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
  }
}

describeWhenAvailable('the preview in Chromium', chromiumMissing(), () => {
  jest.setTimeout(60000)

  const server = new ServerProcess({ NODE_ENV: 'development' })
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let phone: FrameLocator
  let errors: Error[]

  beforeAll(async () => {
    await server.start()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    })
    fs.mkdirSync(SCREENSHOTS, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
    await server.dispose()
  })

  /** A new browser profile: a new WeChat user on a fresh install. */
  beforeEach(async () => {
    context = await browser.newContext({
      viewport: { width: 900, height: 720 },
      deviceScaleFactor: 2,
    })
    page = await context.newPage()
    errors = []
    page.on('pageerror', (error) => errors.push(error))
    phone = page.frameLocator('#phone')
  })
  afterEach(async () => {
    await context.close()
    // WeChat's faults are the server's, shared by every test: none may outlive its test.
    await server.call('DELETE', '/__wechat/control/faults')
    expect(errors).toEqual([])
  })

  function phoneFrame(): Frame {
    const frame = page.frames().find((f) => f.url().endsWith('/preview/phone.html'))
    if (!frame) throw new Error('the phone frame is not loaded')
    return frame
  }

  /** Opens the preview, with settings already picked (as if set in the panel before). */
  async function launch(settings: Record<string, unknown> = {}): Promise<void> {
    if (Object.keys(settings).length > 0) {
      await context.addInitScript((json) => {
        if (!localStorage.getItem('preview:settings'))
          localStorage.setItem('preview:settings', json)
      }, JSON.stringify(settings))
    }
    await page.goto(`${server.url}/preview/`)
  }

  /** Waits for the phone to load again after `action` (a relaunch from the panel). */
  async function relaunchBy(action: () => Promise<unknown>): Promise<void> {
    const loaded = page.waitForEvent('framenavigated', (f) => f.url().endsWith('/phone.html'))
    await action()
    await loaded
  }

  function shows(selector: string, text: string | RegExp) {
    return phone.locator(selector, { hasText: text }).first().waitFor()
  }

  async function textOf(selector: string): Promise<string> {
    return ((await phone.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
  }

  /** The phone's frame at 375 px (or the whole page), device scale 2, written when it changed. */
  async function screenshot(name: string, whole = false): Promise<void> {
    await phoneFrame().evaluate(() => document.fonts.ready.then(() => undefined))
    const options = { animations: 'disabled' } as const
    const image = whole
      ? await page.screenshot(options)
      : await page.locator('#phone').screenshot(options)
    const file = path.join(SCREENSHOTS, `${name}.png`)
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(image)) fs.writeFileSync(file, image)
  }

  async function storedToken(): Promise<string> {
    const token = await phoneFrame().evaluate(() => {
      const raw = localStorage.getItem('wx:auth.session')
      return raw ? (JSON.parse(raw) as { token: string }).token : ''
    })
    if (!token) throw new Error('the app stored no token')
    return token
  }

  async function wechatCalls(api: string): Promise<number> {
    const stats = await server.call<{ calls: Record<string, number> }>(
      'GET',
      '/__wechat/control/stats',
    )
    return stats.calls[api]
  }

  async function loggedIn(): Promise<void> {
    await shows('#state', '已登录')
  }

  async function openPhonePage(): Promise<void> {
    await loggedIn()
    await phone.locator('#to-phone').click()
    await phone.locator('#phone-btn:not([disabled])').waitFor()
  }

  async function openLoginPage(): Promise<void> {
    await loggedIn()
    await phone.locator('#to-login').click()
    await phone.locator('#userinfo-btn:not([disabled])').waitFor()
  }

  it('is served by npm start in development, its address printed after the listening line', async () => {
    // Log lines are JSON; of the plain lines, the listening line stays first.
    const plain = fs
      .readFileSync(server.logFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('{'))
    expect(plain[0]).toMatch(/^listening on http:\/\//)
    expect(plain[1]).toBe(`preview: ${server.url}/preview/`)
    await launch()
    await loggedIn()
    await screenshot('preview', true)
  })

  it('cold launch: logs in silently and the home page shows the user', async () => {
    const before = await wechatCalls('jscode2session')
    await launch()
    await loggedIn()
    expect(await textOf('#nickname')).toBe('未设置昵称')
    expect(await wechatCalls('jscode2session')).toBe(before + 1)
    expect(await phone.locator('#logout-btn').isVisible()).toBe(true)
    await screenshot('home')
  })

  it('relaunch with a stored token: no login, the server still knows the user', async () => {
    await launch()
    await loggedIn()
    const token = await storedToken()
    const logins = await wechatCalls('jscode2session')
    await relaunchBy(() => page.click('#relaunch'))
    await loggedIn()
    expect(await storedToken()).toBe(token)
    expect(await wechatCalls('jscode2session')).toBe(logins)
  })

  it('phone: the sheet, allow, the masked number, kept by the server', async () => {
    await launch()
    await openPhonePage()
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-phone-sheet').waitFor()
    await screenshot('phone-sheet')
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '手机号已绑定')
    expect(await textOf('#phone-number')).toBe('138****8000')
    expect(await phone.locator('#phone-btn').getAttribute('disabled')).not.toBeNull()
    await screenshot('phone-bound')
    const me = await server.call<{ user: { phoneNumber: string } }>(
      'GET',
      '/api/me',
      undefined,
      await storedToken(),
    )
    expect(me.user.phoneNumber).toBe('13800138000')
    await phone.locator('#preview-nav-back').click()
    await shows('#phone', '手机号 138****8000')
  })

  it('phone: refusing in the sheet says so, and the button can be tapped again', async () => {
    await launch()
    await openPhonePage()
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-deny').click()
    await shows('#status', '你取消了授权')
    expect(await phone.locator('#phone-btn:not([disabled])').count()).toBe(1)
    await screenshot('phone-refused')
  })

  it.each([
    ['no-permission', '本小程序暂未开通获取手机号的能力', 'phone-no-permission'],
    ['quota-exhausted', '暂时无法验证手机号', 'phone-quota'],
  ])('phone: WeChat answers %s from the panel, before any sheet', async (access, message, shot) => {
    await launch()
    await openPhonePage()
    await page.selectOption('#phone-access', access)
    await phone.locator('#phone-btn').click()
    await shows('#status', message)
    expect(await phone.locator('#preview-phone-sheet').count()).toBe(0)
    await screenshot(shot)
  })

  it('phone: WeChat busy fails the exchange with 重试, which works once WeChat answers', async () => {
    await launch()
    await openPhonePage()
    await page.check('#wechat-busy')
    await page.locator('#panel-status', { hasText: 'busy' }).waitFor()
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '微信服务繁忙，请稍后重试')
    await screenshot('phone-wechat-busy')
    await page.uncheck('#wechat-busy')
    await page.locator('#panel-status', { hasText: 'answers again' }).waitFor()
    await phone.locator('#retry-btn').click()
    await shows('#status', '手机号已绑定')
  })

  it('network down: the phone number cannot be sent, 重试 sends it once the network is back', async () => {
    await launch()
    await openPhonePage()
    await page.check('#network-down')
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '网络连接失败，请检查网络后重试')
    await screenshot('phone-offline')
    await page.uncheck('#network-down')
    await phone.locator('#retry-btn').click()
    await shows('#status', '手机号已绑定')
  })

  it('network down at launch: wx.login fails too, and 重试 logs in once it is back', async () => {
    await launch({ offline: true })
    await shows('#message', '网络连接失败，请检查网络后重试')
    await screenshot('home-offline')
    await page.uncheck('#network-down')
    await phone.locator('#retry-btn').click()
    await loggedIn()
  })

  it('token expired on the server: the next request logs in again and carries on', async () => {
    await launch()
    await loggedIn()
    const token = await storedToken()
    const logins = await wechatCalls('jscode2session')
    await page.click('#expire-token')
    await page.locator('#panel-status', { hasText: 'no longer accepts' }).waitFor()
    await relaunchBy(() => page.click('#relaunch'))
    // The home page's first request (GET /api/me) meets the 401 and logs in again.
    await phoneFrame().waitForFunction((old) => {
      const raw = localStorage.getItem('wx:auth.session')
      return raw !== null && (JSON.parse(raw) as { token: string }).token !== old
    }, token)
    await loggedIn()
    expect(await wechatCalls('jscode2session')).toBe(logins + 1)
  })

  it('privacy: the dialog on a covered tap, agree, then the user-info sheet and anonymous data', async () => {
    await launch()
    await openLoginPage()
    await phone.locator('#userinfo-btn').click()
    await phone.locator('#privacy-dialog .privacy-dialog--mask').waitFor()
    await screenshot('privacy-dialog')
    await phone.locator('#privacy-agree').click()
    await phone.locator('#preview-userinfo-sheet').waitFor()
    await screenshot('userinfo-sheet')
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '微信不再提供头像昵称，请在下方设置')
    await screenshot('userinfo')
    expect(await phone.locator('#privacy-dialog .privacy-dialog--mask').count()).toBe(0)
  })

  it('privacy: disagree fails the tap with the privacy message', async () => {
    await launch()
    await openLoginPage()
    await phone.locator('#userinfo-btn').click()
    await phone.locator('#privacy-disagree').click()
    await shows('#status', '需要先同意隐私保护指引，才能获取用户信息')
    await screenshot('privacy-disagreed')
  })

  it('avatar: the file picker, the upload, the avatar from the server', async () => {
    await launch()
    await openLoginPage()
    const chooser = page.waitForEvent('filechooser')
    await phone.locator('#avatar-btn').click()
    await phone.locator('#privacy-agree').click()
    await (await chooser).setFiles({ name: 'me.png', mimeType: 'image/png', buffer: png(96, 96) })
    await shows('#status', '头像已更新')
    const src = await phone.locator('.pages-login-index--avatar').getAttribute('src')
    expect(src).toMatch(new RegExp(`^${server.url}/avatars/`))
    await screenshot('avatar')
  })

  it('nickname: typed into the nickname input, saved by the form, kept by the server', async () => {
    await launch()
    await openLoginPage()
    await phone.locator('#nickname-input input').fill('小明')
    await phone.locator('#profile-save').click()
    await shows('#status', '昵称已保存')
    expect(await textOf('#nickname')).toBe('小明')
    await screenshot('nickname')
    const me = await server.call<{ user: { nickName: string } }>(
      'GET',
      '/api/me',
      undefined,
      await storedToken(),
    )
    expect(me.user.nickName).toBe('小明')
  })

  it('base library 2.20.0: no fill-in, and the phone number comes from the legacy payload', async () => {
    await launch({ sdkVersion: '2.20.0' })
    await openLoginPage()
    await shows('.pages-login-index--hint', '请升级微信版本后设置头像和昵称')
    await screenshot('login-2.20.0')
    await phone.locator('#preview-nav-back').click()
    await phone.locator('#to-phone').click()
    await phone.locator('#phone-btn:not([disabled])').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '手机号已绑定')
  })

  it('base library 2.32.3: the privacy dialog asks before the phone sheet', async () => {
    await launch({ sdkVersion: '2.32.3' })
    await openPhonePage()
    await phone.locator('#phone-btn').click()
    await phone.locator('#privacy-agree').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '手机号已绑定')
  })

  it('a version picked in the panel relaunches the app on it', async () => {
    await launch()
    await loggedIn()
    await relaunchBy(() => page.selectOption('#sdk-version', '2.21.2'))
    await loggedIn()
    const version = await phoneFrame().evaluate(
      () => (globalThis as unknown as { wx: WechatMiniprogram.Wx }).wx.getAppBaseInfo().SDKVersion,
    )
    expect(version).toBe('2.21.2')
  })
})
