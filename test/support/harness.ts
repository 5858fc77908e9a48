/**
 * Launching the real app.ts and rendering its pages under miniprogram-simulate.
 */
import * as path from 'node:path'
import * as simulate from 'miniprogram-simulate'
import type { AuthConfig } from '../../miniprogram/config'
import type { FakeWx, PhoneButtonEvent } from './fake-wx'

const MINIPROGRAM_ROOT = path.resolve(__dirname, '../../miniprogram')

/** Fast backoff for tests: the policy is the same, only the unit is smaller. */
export const FAST_RETRY: AuthConfig['retry'] = { tries: 3, baseDelayMs: 2, maxDelayMs: 10 }

/**
 * A fresh app per call: installs the fake wx, evaluates app.ts (its auth reads wx while loading),
 * points the auth config at the test's backend, then runs onLaunch.
 */
export function launchApp(wx: FakeWx, config: Partial<AuthConfig>): IAppOption {
  wx.install()
  jest.isolateModules(() => {
    // A fresh module registry, so each test gets its own App() and auth.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../miniprogram/app')
  })
  const app = getApp<IAppOption>()
  Object.assign(app.auth.config, { retry: FAST_RETRY }, config)
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

/** Lets every pending callback, microtask and loopback HTTP exchange run. */
export async function settle(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await simulate.sleep(5)
  }
}
