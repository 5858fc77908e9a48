/**
 * The one place to point the mini-program at a backend. Each build (develop in DevTools, trial,
 * release) picks its base URL by the version WeChat reports, so a preview never talks to production.
 */
export type EnvVersion = 'develop' | 'trial' | 'release'

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
    ...overrides,
  }
}
