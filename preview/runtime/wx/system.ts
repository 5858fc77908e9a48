/** What WeChat says about itself and the phone: base library, window, account, canIUse. */
import { readSettings } from '../../shared/state'
import { BUILTIN_TAGS } from '../builtins/index'
import { currentTheme } from '../engine/appearance'
import { available, sdkVersion } from './versions'

export const STATUS_BAR_HEIGHT = 20
export const NAVIGATION_BAR_HEIGHT = 44
const WECHAT_VERSION = '8.0.50'

export function systemApis(appid: string, has: (api: string) => boolean) {
  const windowInfo = () => ({
    pixelRatio: window.devicePixelRatio,
    screenWidth: window.innerWidth,
    screenHeight: window.innerHeight,
    windowWidth: window.innerWidth,
    windowHeight: window.innerHeight - STATUS_BAR_HEIGHT - NAVIGATION_BAR_HEIGHT,
    statusBarHeight: STATUS_BAR_HEIGHT,
    safeArea: {
      left: 0,
      right: window.innerWidth,
      top: STATUS_BAR_HEIGHT,
      bottom: window.innerHeight,
      width: window.innerWidth,
      height: window.innerHeight - STATUS_BAR_HEIGHT,
    },
  })
  const deviceInfo = () => ({
    brand: 'devtools',
    model: 'preview',
    system: 'iOS 16.0',
    platform: 'devtools',
    benchmarkLevel: 1,
  })
  const appBaseInfo = () => ({
    SDKVersion: sdkVersion,
    version: WECHAT_VERSION,
    language: 'zh_CN',
    theme: currentTheme(),
    fontSizeSetting: Math.round(16 * readSettings().textScale),
    enableDebug: false,
  })
  return {
    getSystemInfoSync: () => ({ ...windowInfo(), ...deviceInfo(), ...appBaseInfo() }),
    getWindowInfo: windowInfo,
    getDeviceInfo: deviceInfo,
    getAppBaseInfo: appBaseInfo,
    getAccountInfoSync: () => ({
      miniProgram: { appId: appid, envVersion: 'develop', version: '' },
      plugin: {},
    }),
    getMenuButtonBoundingClientRect: () => ({
      width: 87,
      height: 32,
      top: STATUS_BAR_HEIGHT + 6,
      bottom: STATUS_BAR_HEIGHT + 38,
      left: window.innerWidth - 94,
      right: window.innerWidth - 7,
    }),
    /**
     * `api`, `api.method.param.option` or `component.attribute.value`: a gated name answers by
     * its version, anything else by whether the API or the component exists.
     */
    canIUse: (schema: string) => {
      if (!available(schema)) return false
      const head = schema.split('.')[0]
      return has(head) || BUILTIN_TAGS.includes(head)
    },
    nextTick: (callback: () => void) => void Promise.resolve().then(callback),
  }
}
