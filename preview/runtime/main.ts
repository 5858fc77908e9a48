/**
 * The phone: WeChat's runtime for the mini-program in a browser. wx is installed, the built-in
 * components and the constructors are defined, then app.ts and every page and component are
 * evaluated as WeChat evaluates them, the app launched and its entry page opened.
 */
import { appJson, appid, loadApp, modules, theme } from 'preview:app'
import { applyAppearance, resolveTheme } from './engine/appearance'
import { registerBuiltins } from './builtins/index'
import { getApp, installConstructors, loadModules } from './engine/registry'
import { Router } from './engine/router'
// Before wcsc's code (wxss.js) reads window.__transformRpx__.
import './engine/styles'
import { turnClicksIntoTaps } from './engine/taps'
import { createChrome } from './native/chrome'
import { mountOverlays } from './native/overlays'
import { createWx } from './wx/index'

// wcc's templates check the engine version they run on.
window.__webview_engine_version__ = 0.02

type Callable = Record<string, unknown>

function call(target: Callable, name: string, ...args: unknown[]): void {
  const method = target[name]
  if (typeof method === 'function') method.apply(target, args)
}

function boot(): void {
  // Not #phone: the page's own ids share this document (the home page has a #phone).
  const phone = document.getElementById('preview-root')
  if (!phone) throw new Error('phone.html has no #preview-root')
  const appWindow = resolveTheme(appJson.window ?? {}, theme)
  const appName =
    typeof appWindow.navigationBarTitleText === 'string'
      ? appWindow.navigationBarTitleText
      : '小程序'
  const jsons = new Map(modules.map((m) => [m.path, resolveTheme(m.json, theme) as Callable]))
  const globals = globalThis as unknown as Callable

  let wx: Record<string, (options?: object) => unknown> = {}
  const view = createChrome(
    phone,
    appWindow,
    (route) => jsons.get(route) ?? {},
    () => {
      wx.navigateBack({})
    },
  )
  const router = new Router(view)
  mountOverlays(view.overlays)
  const preview = createWx({ appid, appName, router, networkTimeout: appJson.networkTimeout ?? {} })
  wx = preview.wx as typeof wx
  globals.wx = wx
  globals.getCurrentPages = () => router.stack.map((entry) => entry.instance)

  const navigate: Record<string, (url: string, delta: number) => object> = {
    navigate: (url) => ({ api: 'navigateTo', options: { url } }),
    redirect: (url) => ({ api: 'redirectTo', options: { url } }),
    reLaunch: (url) => ({ api: 'reLaunch', options: { url } }),
    switchTab: (url) => ({ api: 'switchTab', options: { url } }),
    navigateBack: (_, delta) => ({ api: 'navigateBack', options: { delta } }),
  }
  registerBuiltins({
    openTypes: preview.openTypes,
    privacy: preview.privacy,
    navigate(openType, url, delta) {
      const { api, options } = (navigate[openType] ?? navigate.navigate)(url, delta) as {
        api: string
        options: object
      }
      wx[api]({ ...options, fail: (error: { errMsg: string }) => console.error(error.errMsg) })
    },
  })
  installConstructors()
  loadApp()
  loadModules(modules)
  turnClicksIntoTaps(view.container)
  applyAppearance()

  const entry = appJson.entryPagePath ?? appJson.pages[0]
  const launch = { path: entry, query: {}, scene: 1001, referrerInfo: {} }
  const app = getApp()
  call(app, 'onLaunch', launch)
  call(app, 'onShow', launch)
  router.reLaunch(`/${entry}`)
}

document.addEventListener('DOMContentLoaded', () => {
  try {
    boot()
  } catch (error) {
    console.error(error)
    const pre = document.createElement('pre')
    pre.className = 'build-error'
    pre.textContent = `the mini-program failed to start:\n${(error as Error).stack ?? error}`
    document.body.prepend(pre)
  }
})
