/**
 * Launching the real app.ts and rendering its pages under miniprogram-simulate.
 */
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
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

/** WeChat's extended library WeUI (app.json useExtendedLib.weui), served from its npm package. */
const WEUI = 'weui-miniprogram/'
const nodeRequire = createRequire(__filename)
const WEUI_DIST = path.join(
  path.dirname(nodeRequire.resolve('weui-miniprogram/package.json')),
  'miniprogram_dist',
)

/** simulate's j-component (jest's instance of it), whose register this file watches. */
interface Registry {
  register(definition: { path?: unknown }): string
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jComponent = require('j-component') as Registry

function usingOf(file: string): Record<string, string> {
  const json = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as {
    usingComponents?: Record<string, string>
  }
  return json.usingComponents ?? {}
}

let extendedLib: Record<string, string> | null = null

/**
 * The extended library's components the app's pages use, registered once per test file from the
 * npm package, as tag → registered id. simulate cannot load a path twice, so a component another
 * one uses (mp-cells under mp-cell) is registered by that load — with its relations — and its id
 * taken as j-component registers it.
 */
function extendedComponents(): Record<string, string> {
  if (extendedLib) return extendedLib
  const appJson = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8')) as {
    pages: string[]
    useExtendedLib?: { weui?: boolean }
  }
  /** file → tag */
  const tags = new Map<string, string>()
  if (appJson.useExtendedLib?.weui === true) {
    for (const page of appJson.pages) {
      for (const [tag, target] of Object.entries(usingOf(path.join(MINIPROGRAM_ROOT, page)))) {
        if (target.startsWith(WEUI)) tags.set(path.join(WEUI_DIST, target.slice(WEUI.length)), tag)
      }
    }
  }
  const ids = new Map<string, string>()
  const register = jComponent.register.bind(jComponent)
  const capture = (definition: { path?: unknown }) => {
    const id = register(definition)
    if (typeof definition.path === 'string') ids.set(definition.path, id)
    return id
  }
  Object.assign(jComponent, { register: capture })
  try {
    // Components that use others first, so the ones they use are registered by their load.
    const byUsers = [...tags.keys()].sort(
      (a, b) => Object.keys(usingOf(b)).length - Object.keys(usingOf(a)).length,
    )
    for (const file of byUsers) {
      // j-component's template compiler: wcc's output for a second root would overwrite the
      // global tables the app's templates read.
      if (!ids.has(file)) simulate.load(file, tags.get(file) ?? '', { compiler: 'simulate' })
    }
  } finally {
    Object.assign(jComponent, { register })
  }
  extendedLib = {}
  for (const [file, tag] of tags) {
    const id = ids.get(file)
    if (id === undefined) throw new Error(`${file} did not register`)
    extendedLib[tag] = id
  }
  return extendedLib
}

/** Load a page or component once per test file (simulate cannot load one path twice). */
export function loadPage(route: string): string {
  return simulate.load(path.join(MINIPROGRAM_ROOT, route), {
    rootPath: MINIPROGRAM_ROOT,
    usingComponents: extendedComponents(),
  })
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
