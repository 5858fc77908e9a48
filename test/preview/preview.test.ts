/**
 * The browser preview in Debian's Chromium, driven by playwright-core: the real server in its own
 * process (development mode, the emulator on), the real app.ts and pages in the phone frame, every
 * flow tapped through as a person would. Each state shown is checked as a person would see it:
 * its layout (nothing overlaps, nothing is cut), its accessibility (axe-core) for every page in
 * both colour schemes and at WeChat's largest text, and its screenshot against the committed
 * baseline in docs/screenshots (`npm run screenshots` rewrites them after a deliberate change).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type FrameLocator,
  type Locator,
  type Page,
} from 'playwright-core'
import { png } from '../../common/images'
import { describeWhenAvailable } from '../support/needs'
import { ServerProcess } from '../support/server-process'
import { seriousViolations } from './accessibility'
import { layoutProblems } from './layout'
import { BASELINES, compareWithBaseline } from './visual'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** What the mini-program draws: the page on top (a covered page is hidden). */
const PAGE = '.page-frame:not([hidden])'
const DIALOG = `${PAGE} #privacy-dialog`
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
    fs.mkdirSync(BASELINES, { recursive: true })
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

  /**
   * The phone's frame at 375 px (or the whole page), device scale 2, as the baseline `name` shows
   * it; the layout of what the app draws (`scope`) checked first.
   */
  async function screenshot(
    name: string,
    options: { whole?: boolean; scope?: string; mask?: Locator[] } = {},
  ) {
    const frame = phoneFrame()
    await frame.evaluate(() => document.fonts.ready.then(() => undefined))
    if (!options.whole)
      expect(await frame.evaluate(layoutProblems, options.scope ?? PAGE)).toEqual([])
    // What differs from run to run (times, ids) is masked; its layout was checked above.
    const shot = { animations: 'disabled', caret: 'hide', mask: options.mask } as const
    const image = options.whole
      ? await page.screenshot(shot)
      : await page.locator('#phone').screenshot(shot)
    const mismatch = compareWithBaseline(name, image)
    if (mismatch) throw new Error(mismatch)
  }

  /** A page or dialog as every user must be able to use it: layout, accessibility, baseline. */
  async function checkState(name: string, scope = PAGE): Promise<void> {
    expect(await seriousViolations(phoneFrame(), scope)).toEqual([])
    await screenshot(name, { scope })
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

  async function openAccountPage(): Promise<void> {
    await loggedIn()
    await phone.locator('#to-account').click()
    await phone.locator('#delete-account-btn:not([disabled])').waitFor()
  }

  async function userOf(token: string): Promise<{ id: string; phoneNumber: string | null }> {
    return (
      await server.call<{ user: { id: string; phoneNumber: string | null } }>(
        'GET',
        '/api/me',
        undefined,
        token,
      )
    ).user
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
    await screenshot('preview', { whole: true })
  })

  it('cold launch: logs in silently and the home page shows the user', async () => {
    const before = await wechatCalls('jscode2session')
    await launch()
    await loggedIn()
    expect(await textOf('#nickname')).toBe('未设置昵称')
    expect(await wechatCalls('jscode2session')).toBe(before + 1)
    expect(await phone.locator('#logout-btn').isVisible()).toBe(true)
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
    // Back again: the number, and a word that a new tap replaces it.
    await phone.locator('#to-phone').click()
    await phone.locator('#phone-btn:not([disabled])', { hasText: '更换手机号' }).waitFor()
    await screenshot('phone-rebind')
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
    ['blocked', '微信暂时限制了你的账号向本小程序提供手机号', 'phone-blocked'],
  ])('phone: WeChat answers %s from the panel, before any sheet', async (access, message, shot) => {
    await launch()
    await openPhonePage()
    await page.selectOption('#phone-access', access)
    await phone.locator('#phone-btn').click()
    await shows('#status', message)
    expect(await phone.locator('#preview-phone-sheet').count()).toBe(0)
    await screenshot(shot)
  })

  it('phone: WeChat busy may have spent the code, so it asks for a new tap, which works once WeChat answers', async () => {
    await launch()
    await openPhonePage()
    await page.check('#wechat-busy')
    await page.locator('#panel-status', { hasText: 'busy' }).waitFor()
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '微信服务繁忙，请稍后再点一次按钮')
    expect(await phone.locator('#retry-btn').count()).toBe(0)
    await screenshot('phone-wechat-busy')
    await page.uncheck('#wechat-busy')
    await page.locator('#panel-status', { hasText: 'answers again' }).waitFor()
    await phone.locator('#phone-btn:not([disabled])').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '手机号已绑定')
  })

  it('network down: the phone number cannot be sent, 重试 sends it once the network is back', async () => {
    await launch()
    await openPhonePage()
    await page.check('#network-down')
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '网络连接失败，请检查网络后重试')
    // Away and back (to turn Wi-Fi on): the auth module kept the payload, the new page offers 重试.
    await phone.locator('#preview-nav-back').click()
    await phone.locator('#to-phone').click()
    await shows('#status', '网络连接失败，请检查网络后重试')
    expect(await phone.locator('#phone-btn').getAttribute('disabled')).not.toBeNull()
    await page.uncheck('#network-down')
    await phone.locator('#retry-btn').click()
    await shows('#status', '手机号已绑定')
  })

  it('login blocked for this user (errno 1402101, from the panel): said so, no 重试', async () => {
    await launch({ loginAccess: 'blocked' })
    await shows('#message', '微信暂时限制了你的账号登录本小程序')
    expect(await phone.locator('#retry-btn').count()).toBe(0)
    await screenshot('home-login-blocked')
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
    await phone.locator('#privacy-agree').click()
    await phone.locator('#preview-userinfo-sheet').waitFor()
    await screenshot('userinfo-sheet')
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '微信只提供了默认头像和昵称，请在上方设置')
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
    const src = await phone.locator('wx-image.pages-login-index--avatar').getAttribute('src')
    expect(src).toMatch(new RegExp(`^${server.url}/avatars/`))
    await screenshot('avatar')
  })

  it('nickname: typed into the nickname input, saved by the form, kept by the server', async () => {
    await launch()
    await openLoginPage()
    // A new user: the input exists once the privacy guideline is agreed (3.4.x degrades it).
    await phone.locator('#nickname-ask').click()
    await phone.locator('#privacy-agree').click()
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
    await shows('.pages-login-index--tips', '请升级微信版本后设置头像和昵称')
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

  it('选择头像, then 不同意: the page says why nothing happened', async () => {
    await launch()
    await openLoginPage()
    await phone.locator('#avatar-btn').click()
    await phone.locator('#privacy-disagree').click()
    await shows('#status', '需要先同意隐私保护指引，才能设置头像')
  })

  it('退出登录 asks first, in WeChat’s modal', async () => {
    await launch()
    await loggedIn()
    await phone.locator('#logout-btn').click()
    await phone.locator('#preview-modal-confirm', { hasText: '退出登录' }).waitFor()
    await screenshot('logout-confirm')
    await phone.locator('#preview-modal-confirm').click()
    await shows('#state', '未登录')
  })

  it('解绑手机号: WeChat’s modal asks; confirmed, the number is gone here and on the server', async () => {
    await launch()
    await openPhonePage()
    await phone.locator('#phone-btn').click()
    await phone.locator('#preview-sheet-allow').click()
    await shows('#status', '手机号已绑定')
    await phone.locator('#preview-nav-back').click()
    await openAccountPage()
    expect(await textOf('#account-phone')).toBe('138****8000')
    await phone.locator('#unbind-phone-btn').click()
    await phone.locator('#preview-modal-confirm', { hasText: '解绑' }).waitFor()
    await screenshot('account-unbind-confirm')
    await phone.locator('#preview-modal-confirm').click()
    await shows('#status', '手机号已解绑')
    expect(await textOf('#account-phone')).toBe('未绑定')
    await screenshot('account-unbound')
    expect((await userOf(await storedToken())).phoneNumber).toBeNull()
  })

  it('查看我的数据: what the server holds, in WeChat’s modal; 复制, agreed to, puts it on the clipboard', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
    await launch()
    await openAccountPage()
    const { id } = await userOf(await storedToken())
    await phone.locator('#export-btn').click()
    const modal = phone.locator('.weui-dialog', { hasText: '我的数据' })
    await modal.waitFor()
    const held = (await modal.textContent()) ?? ''
    for (const shown of [
      `用户编号：${id}`,
      '昵称：未设置',
      '手机号：未绑定',
      'UnionID：无',
      '登录设备：1 台',
    ]) {
      expect(held).toContain(shown)
    }
    // The clipboard is privacy-covered: this new user is asked first, on this page.
    await phone.locator('#preview-modal-confirm', { hasText: '复制' }).click()
    await phone.locator('#privacy-agree').click()
    await phone.locator('#preview-toast', { hasText: '内容已复制' }).waitFor()
    await shows('#status', '已复制')
    const copied = await phoneFrame().evaluate(() => navigator.clipboard.readText())
    expect(copied.split('\n')).toContain(`用户编号：${id}`)
  })

  it('注销账号: the modal says what goes; confirmed, the anonymous home and no login until the next launch, which makes a new, empty account', async () => {
    await launch()
    await openAccountPage()
    const token = await storedToken()
    const { id } = await userOf(token)
    await phone.locator('#delete-account-btn').click()
    const modal = phone.locator('.weui-dialog', { hasText: '注销账号' })
    await modal.waitFor()
    for (const said of ['手机号', '所有设备', '无法恢复', '新的空账号']) {
      expect(await modal.textContent()).toContain(said)
    }
    await screenshot('account-delete-confirm')
    const logins = await wechatCalls('jscode2session')
    await phone.locator('#preview-modal-confirm').click()
    await shows('#state', '未登录')
    await phone.locator('#login-btn').waitFor()
    await expect(userOf(token)).rejects.toThrow('→ 401')
    expect(await phone.locator('#to-account').count()).toBe(0)
    expect(await wechatCalls('jscode2session')).toBe(logins)
    await relaunchBy(() => page.click('#relaunch'))
    await loggedIn()
    const fresh = await userOf(await storedToken())
    expect(fresh.id).not.toBe(id)
    expect(await wechatCalls('jscode2session')).toBe(logins + 1)
  })

  it('the panel’s dark-mode switch relaunches the phone in the dark scheme', async () => {
    await launch()
    await loggedIn()
    await relaunchBy(() => page.selectOption('#color-scheme', 'dark'))
    await loggedIn()
    const seen = await phoneFrame().evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      nav: getComputedStyle(document.getElementById('preview-nav-bar')!).backgroundColor,
      theme: (globalThis as unknown as { wx: WechatMiniprogram.Wx }).wx.getAppBaseInfo().theme,
    }))
    expect(seen).toEqual({ background: 'rgb(17, 17, 17)', nav: 'rgb(17, 17, 17)', theme: 'dark' })
  })

  it('the panel keeps its text whole at 700 px wide', async () => {
    await page.setViewportSize({ width: 700, height: 720 })
    await launch()
    await loggedIn()
    expect(await page.evaluate(layoutProblems, '#panel')).toEqual([])
  })

  it('the layout check fails on the old phone page, whose hint touched its button', async () => {
    const old = fs.readFileSync(path.join(__dirname, 'fixtures/old-phone-page.html'), 'utf8')
    await page.setViewportSize({ width: 375, height: 667 })
    await page.setContent(old.replace('<head>', `<head><base href="${server.url}/preview/">`))
    expect(await page.evaluate(layoutProblems, '.page-frame')).toContainEqual({
      problem: 'touches a control',
      text: 'wx-view "绑定手机号后，可用手机号找回账号。"',
      other: 'wx-button#phone-btn "手机号快捷绑定"',
    })
  })

  describe.each([
    ['light', 1, ''],
    ['dark', 1, '-dark'],
    ['light', 1.4, '-large'],
  ] as const)('%s, text ×%s', (colorScheme, textScale, suffix) => {
    it('every page and the privacy dialog: accessible, nothing overlapping or cut, as the baselines show', async () => {
      // Chromium's own colour-scheme emulation: the phone follows the system, as on a phone.
      await page.emulateMedia({ colorScheme })
      await launch({ textScale })
      await loggedIn()
      await checkState(`home${suffix}`)
      await phone.locator('#to-login').click()
      await phone.locator('#userinfo-btn:not([disabled])').waitFor()
      await checkState(`login${suffix}`)
      await phone.locator('#userinfo-btn').click()
      await phone.locator('#privacy-agree').waitFor()
      await checkState(`privacy-dialog${suffix}`, DIALOG)
      await phone.locator('#privacy-disagree').click()
      await phone.locator('#preview-nav-back').click()
      await phone.locator('#to-account').click()
      await phone.locator('#delete-account-btn:not([disabled])').waitFor()
      await checkState(`account${suffix}`)
      await phone.locator('#preview-nav-back').click()
      await phone.locator('#to-phone').click()
      await phone.locator('#phone-btn:not([disabled])').waitFor()
      await checkState(`phone${suffix}`)
      // A failure, in the warn colour, with 重试 below it.
      await page.check('#network-down')
      await phone.locator('#phone-btn').click()
      await phone.locator('#preview-sheet-allow').click()
      await shows('#status', '网络连接失败，请检查网络后重试')
      await checkState(`phone-offline${suffix}`)
    })
  })
})
