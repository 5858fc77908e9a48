/**
 * The one place to point the mini-program at a backend. Each build (develop in DevTools, trial,
 * release) picks its base URL by the version WeChat reports, so a preview never talks to production.
 */
export type EnvVersion = 'develop' | 'trial' | 'release'

/**
 * WeChat's two phone-number buttons, redeemed the same way by the backend (a code): 快速验证
 * (fast, ¥0.03 a success) or 实时验证 (realtime, ¥0.04: the number is verified by SMS each time).
 */
export type PhoneKind = 'fast' | 'realtime'

export interface AuthConfig {
  baseUrl: string
  endpoints: {
    login: string
    logout: string
    phone: string
    userInfo: string
    me: string
    profile: string
    avatar: string
  }
  /** The header that carries the login token, and the scheme before it ('' sends the bare token). */
  tokenHeader: string
  tokenScheme: string
  /** Per-call timeout of wx.login, wx.request and wx.uploadFile. */
  timeoutMs: number
  /** WeChat runs at most 10 wx.request/wx.uploadFile at once and fails the rest: queue past it. */
  maxConcurrent: number
  /** Transient failures of the login and of idempotent requests: at most `tries` in all. */
  retry: { tries: number; baseDelayMs: number; maxDelayMs: number }
  /** A token this close to its expiry counts as expired, so it is not sent just to fail. */
  expirySkewMs: number
  storageKey: string
  /** The phone button; 'realtime' falls back to 'fast' below base library 2.24.4. */
  phoneKind: PhoneKind
}

export const BASE_URLS: Record<EnvVersion, string> = {
  // The reference server of `npm start`. On a phone, use the LAN address of the computer instead.
  develop: 'http://127.0.0.1:3000',
  // Replace with the HTTPS domains whitelisted in the admin console (开发管理 → 服务器域名).
  trial: 'https://trial-api.example.com',
  release: 'https://api.example.com',
}

export function envVersion(): EnvVersion {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion
  } catch {
    // Outside a real WeChat runtime the safe guess is a development build, never production.
    return 'develop'
  }
}

export function createConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    baseUrl: BASE_URLS[envVersion()],
    endpoints: {
      login: '/api/auth/login',
      logout: '/api/auth/logout',
      phone: '/api/auth/phone',
      userInfo: '/api/auth/userinfo',
      me: '/api/me',
      profile: '/api/me/profile',
      avatar: '/api/me/avatar',
    },
    tokenHeader: 'Authorization',
    tokenScheme: 'Bearer',
    timeoutMs: 10000,
    maxConcurrent: 10,
    retry: { tries: 3, baseDelayMs: 300, maxDelayMs: 3000 },
    expirySkewMs: 30000,
    storageKey: 'auth.session',
    phoneKind: 'fast',
    ...overrides,
  }
}
