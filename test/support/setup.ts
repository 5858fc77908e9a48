/**
 * miniprogram-simulate defines Component and a stub wx, but no App or getApp: these two stand in
 * for WeChat's, so the real app.ts can be loaded and pages reach it as they would on a phone.
 */
import 'miniprogram-simulate'

let current: IAppOption | undefined

const globals = globalThis as unknown as {
  App: (options: IAppOption) => void
  getApp: () => IAppOption
}

globals.App = (options) => {
  current = options
}

globals.getApp = () => {
  if (!current) throw new Error('getApp() before App(): launch the app first')
  return current
}
