/**
 * The thin seam between the auth module and WeChat: every wx.* call, the clock and the timers go
 * through a Platform, so the module can be driven by a fake wx in tests and reused elsewhere.
 * wx.login does not support the Promise style (its doc says so), hence the wrapping.
 */
import { WX_ERRNO } from './errno'
import { AuthError } from './errors'
import type { NeedPrivacyAuthorizationListener } from './wechat'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HttpExchange {
  url: string
  method: HttpMethod
  header: Record<string, string>
  data?: Record<string, unknown>
  timeoutMs: number
}

export interface UploadExchange {
  url: string
  filePath: string
  /** The multipart field name. */
  name: string
  header: Record<string, string>
  timeoutMs: number
}

export interface HttpAnswer {
  statusCode: number
  /** JSON is parsed; anything else stays a string. */
  data: unknown
}

export interface PrivacySetting {
  needAuthorization: boolean
  privacyContractName: string
}

export interface PrivacyApi {
  onNeedPrivacyAuthorization(listener: NeedPrivacyAuthorizationListener): void
  getPrivacySetting(): Promise<PrivacySetting>
  openPrivacyContract(): Promise<void>
  /** wx.requirePrivacyAuthorize: asks now (through the listener) if the user has not agreed yet. */
  requirePrivacyAuthorize(): Promise<boolean>
}

export interface Platform {
  login(timeoutMs: number): Promise<string>
  /** true while WeChat still holds the session_key of the last login. */
  checkSession(): Promise<boolean>
  request(exchange: HttpExchange): Promise<HttpAnswer>
  uploadFile(exchange: UploadExchange): Promise<HttpAnswer>
  getStorage(key: string): unknown
  setStorage(key: string, value: unknown): void
  removeStorage(key: string): void
  /** The base library version, e.g. '3.4.1'. */
  sdkVersion(): string
  canIUse(schema: string): boolean
  /** Absent below base library 2.32.3, where WeChat has no privacy interception at all. */
  privacy: PrivacyApi | null
  now(): number
  sleep(ms: number): Promise<void>
  random(): number
}

function transportError(err: { errMsg: string }): AuthError {
  const timedOut = /time ?out/i.test(err.errMsg)
  return new AuthError(timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', err.errMsg)
}

/** wx.login fails offline too: then the network is what the user can fix, and the page says so. */
function loginError(err: { errMsg: string; errno?: number }): AuthError {
  if (err.errno === WX_ERRNO.LOGIN_BLOCKED) return new AuthError('WX_LOGIN_BLOCKED', err.errMsg)
  if (/network|net::|time ?out/i.test(err.errMsg)) return transportError(err)
  return new AuthError('WX_LOGIN_FAILED', err.errMsg)
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data
  try {
    return JSON.parse(data)
  } catch {
    return data
  }
}

function readSdkVersion(): string {
  if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().SDKVersion
  // Below 2.20.1 only the deprecated getSystemInfoSync knows the version.
  return wx.getSystemInfoSync().SDKVersion
}

function wxPrivacy(): PrivacyApi | null {
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return null
  return {
    onNeedPrivacyAuthorization(listener) {
      // The official typings declare the wrong listener signature; see wechat.ts.
      const register = wx.onNeedPrivacyAuthorization as unknown as (
        l: NeedPrivacyAuthorizationListener,
      ) => void
      register(listener)
    },
    getPrivacySetting: () =>
      new Promise((resolve, reject) =>
        wx.getPrivacySetting({
          success: (res) =>
            resolve({
              needAuthorization: res.needAuthorization,
              privacyContractName: res.privacyContractName,
            }),
          fail: reject,
        }),
      ),
    openPrivacyContract: () =>
      new Promise((resolve, reject) =>
        wx.openPrivacyContract({ success: () => resolve(), fail: reject }),
      ),
    requirePrivacyAuthorize: () =>
      new Promise((resolve) =>
        wx.requirePrivacyAuthorize({ success: () => resolve(true), fail: () => resolve(false) }),
      ),
  }
}

export function wxPlatform(): Platform {
  return {
    login: (timeoutMs) =>
      new Promise((resolve, reject) =>
        wx.login({
          timeout: timeoutMs,
          success: (res) =>
            res.code
              ? resolve(res.code)
              : reject(new AuthError('WX_LOGIN_FAILED', 'wx.login returned no code')),
          fail: (err) => reject(loginError(err)),
        }),
      ),
    checkSession: () =>
      new Promise((resolve) =>
        wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) }),
      ),
    request: (exchange) =>
      new Promise((resolve, reject) => {
        wx.request({
          url: exchange.url,
          method: exchange.method,
          header: exchange.header,
          data: exchange.data,
          timeout: exchange.timeoutMs,
          // success fires for every HTTP status: the caller maps statusCode.
          success: (res) => resolve({ statusCode: res.statusCode, data: parseBody(res.data) }),
          fail: (err) => reject(transportError(err)),
        })
      }),
    uploadFile: (exchange) =>
      new Promise((resolve, reject) => {
        wx.uploadFile({
          url: exchange.url,
          filePath: exchange.filePath,
          name: exchange.name,
          header: exchange.header,
          timeout: exchange.timeoutMs,
          success: (res) => resolve({ statusCode: res.statusCode, data: parseBody(res.data) }),
          fail: (err) => reject(transportError(err)),
        })
      }),
    getStorage: (key) => wx.getStorageSync(key),
    setStorage: (key, value) => wx.setStorageSync(key, value),
    removeStorage: (key) => wx.removeStorageSync(key),
    sdkVersion: readSdkVersion,
    canIUse: (schema) => wx.canIUse(schema),
    privacy: wxPrivacy(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
  }
}
