/**
 * Launching the real app.ts and rendering its pages under miniprogram-simulate.
 */
import * as path from 'node:path'
import * as simulate from 'miniprogram-simulate'
import {
  createAuth,
  createConfig,
  type AuthConfig,
  type ConfigOptions,
} from '../../miniprogram/auth/index'
import { wxPlatform } from '../../miniprogram/auth/platform'
import type { FakeWx, PhoneButtonEvent } from './fake-wx'
import { flush } from './virtual-clock'

const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../miniprogram')

/** Fast backoff for tests: the policy is the same, only the unit is smaller. */
export const FAST_RETRY: AuthConfig['retry'] = { tries: 3, baseDelayMs: 2, maxDelayMs: 10 }

/** The fake wx of the app launched last: settle() waits on what it has under way. */
let activeWx: FakeWx | null = null

/**
 * A fresh app per call: installs the fake wx, evaluates app.ts, gives it an auth pointed at the
 * test's backend, then runs onLaunch. The auth is built as README shows (createAuth with a config
 * and a platform): the real wx adapter, its backoff sleeps counted as work the fake wx has under
 * way, so settle() knows about them.
 */
export function launchApp(wx: FakeWx, config: ConfigOptions): IAppOption {
  return launch<IAppOption>(wx, path.join(MINIPROGRAM_ROOT, 'app'), (app) => {
    const platform = wxPlatform()
    app.auth = createAuth(createConfig({ retry: FAST_RETRY, ...config }), {
      ...platform,
      sleep: (ms) => wx.track(platform.sleep(ms)),
    })
  })
}

/**
 * Installs the fake wx, evaluates the app.ts at `appPath` (this app's, or another mini-program's,
 * as it is), lets `prepare` change the app object, then runs onLaunch.
 */
export function launch<App extends object>(
  wx: FakeWx,
  appPath: string,
  prepare: (app: App) => void = () => undefined,
): App {
  wx.install()
  jest.isolateModules(() => {
    // A fresh module registry, so each test gets its own App().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(appPath)
  })
  const app = getApp<App>() as App & Partial<Pick<WechatMiniprogram.App.Option, 'onLaunch'>>
  prepare(app)
  activeWx = wx
  app.onLaunch?.({} as WechatMiniprogram.App.LaunchShowOption)
  return app
}

/** Load a page or component once per test file (simulate cannot load one path twice). */
export function loadPage(route: string): string {
  return simulate.load(path.join(MINIPROGRAM_ROOT, route), { rootPath: MINIPROGRAM_ROOT })
}

/** A rendered root: simulate's typings forget that roots can detach (a page being closed). */
export type Rendered = ReturnType<typeof simulate.render> & {
  attach(parent: Node): void
  detach(): void
}

/** Every setData of a page, as it crosses to the view layer. */
export type SetDataSpy = (data: Record<string, unknown>) => void

/** Renders a Component-built page and runs its page lifecycle as WeChat would on open. */
export function openPage(id: string, spy?: SetDataSpy): Rendered {
  const page = simulate.render(id) as Rendered
  if (spy) {
    const instance = page.instance as {
      setData(data: Record<string, unknown>, cb?: () => void): void
    }
    const setData = instance.setData
    instance.setData = function (data, cb) {
      spy(data)
      setData.call(this, data, cb)
    }
  }
  page.attach(document.createElement('parent-wrapper'))
  const instance = page.instance as { onLoad?: (q: object) => void; onShow?: () => void }
  instance.onLoad?.({})
  instance.onShow?.()
  return page
}

/** The app launched and logged in, then `id` opened and ready for a tap. */
export async function openReady(wx: FakeWx, baseUrl: string, id: string): Promise<Rendered> {
  const app = launchApp(wx, { baseUrl })
  await settle(() => app.auth.session.state.status === 'logged-in')
  const page = openPage(id)
  await settle(() => page.data.ready === true)
  return page
}

export function text(page: ReturnType<typeof simulate.render>, selector: string): string {
  const node = page.querySelector(selector)
  if (!node || !node.dom) throw new Error(`nothing matches ${selector}`)
  return (node.dom.textContent ?? '').trim()
}

/** A template attribute as WeChat would read it (`disabled`, `openType`, …). */
export function attr(page: Rendered, selector: string, name: string): unknown {
  const node = page.querySelector(selector)
  if (!node) throw new Error(`nothing matches ${selector}`)
  const found = node.toJSON().attrs.find((a) => a.name === name)
  return found ? found.value : undefined
}

/**
 * A tap on the page's #phone-btn as WeChat would handle it (FakeWx.phoneButtonTap): the event
 * its rendered open-type fires, if any, dispatched with WeChat's detail. Resolves with what fired.
 */
export async function tapPhoneButton(wx: FakeWx, page: Rendered): Promise<PhoneButtonEvent | null> {
  const fired = await wx.phoneButtonTap({
    openType: attr(page, '#phone-btn', 'openType'),
    noQuotaToast: attr(page, '#phone-btn', 'phoneNumberNoQuotaToast'),
    disabled: attr(page, '#phone-btn', 'disabled'),
  })
  if (fired) page.querySelector('#phone-btn')!.dispatchEvent(fired.event, { detail: fired.detail })
  return fired
}

export function exists(page: Rendered, selector: string): boolean {
  return page.querySelector(selector) !== undefined
}

/**
 * Waits until `predicate` holds: after each answer of the fake wx (a callback, an HTTP exchange, a
 * backoff sleep) every reaction runs, then it is checked again. No polling and no deadline: when
 * nothing is left under way and it still does not hold, it fails at once, saying so.
 */
export async function settle(predicate: () => boolean): Promise<void> {
  for (;;) {
    await flush()
    if (predicate()) return
    if (!activeWx || activeWx.idle) {
      throw new Error('condition not met, and nothing under way could still meet it')
    }
    await activeWx.nextAnswer()
  }
}

/** Waits until everything under way is answered and handled: for asserting that nothing happens. */
export function idle(): Promise<void> {
  return settle(() => !activeWx || activeWx.idle)
}
