/**
 * How the auth module reaches a backend: its base URL per build (develop in DevTools, trial,
 * release, picked by the version WeChat reports, so a preview never talks to production), the
 * contract's paths, the token header, timeouts and retries — and, for a backend that does not
 * answer in the contract's shapes, a hook that maps its answers onto them.
 */
import { ERROR_STATUS, type ErrorCode } from '../contract/errors'
import { API_PATHS } from '../contract/paths'
import type { HttpAnswer, HttpMethod } from './platform'

export type EnvVersion = 'develop' | 'trial' | 'release'

/**
 * WeChat's two phone-number buttons, redeemed the same way by the backend (a code): 快速验证
 * (fast, ¥0.03 a success) or 实时验证 (realtime, ¥0.04: the number is verified by SMS each time).
 */
export type PhoneKind = 'fast' | 'realtime'

/** The route an answer came from, for a hook that maps answers per route. */
export interface AnswerRoute {
  /** The endpoint's path, as in `endpoints` (no base URL, no query). */
  path: string
  /** POST for an upload. */
  method: HttpMethod
}

/**
 * Maps a backend's answer onto the contract's before it is read, as weRequest's response hooks do:
 * a success is the contract's body with a 2xx status; a failure is the contract's error body,
 * `{ error: { code, message } }`, with the contract's status for that code (`errorAnswer` builds
 * one). What it returns is then read as if the backend had answered it: checked against the
 * contract's schema (BAD_RESPONSE if it is not what the contract says), a 401 logs in again.
 */
export type AdaptAnswer = (answer: HttpAnswer, route: AnswerRoute) => HttpAnswer

/**
 * The contract's answer for a failure, for an adaptAnswer hook: `{ error: { code, message } }`
 * with the contract's HTTP status for `code` (401 for UNAUTHORIZED, which logs in again), or with
 * `status` for a code of the backend's own.
 */
export function errorAnswer(code: ErrorCode, message: string): HttpAnswer
export function errorAnswer(code: string, message: string, status: number): HttpAnswer
export function errorAnswer(code: string, message: string, status?: number): HttpAnswer {
  const statusCode = status ?? ERROR_STATUS[code as ErrorCode]
  return { statusCode, data: { error: { code, message } } }
}

export interface AuthConfig {
  baseUrl: string
  endpoints: Record<keyof typeof API_PATHS, string>
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
  /** For a backend that answers in shapes of its own; none: its answers are the contract's. */
  adaptAnswer?: AdaptAnswer
}

/** The backend of each build: HTTPS domains listed in the admin console's 服务器域名 for trial and release. */
export type BaseUrls = Record<EnvVersion, string>

/**
 * Everything but the backend has a default; the backend is one URL, or one per build. `endpoints`
 * names only the paths that differ from the contract's.
 */
export type ConfigOptions = Partial<Omit<AuthConfig, 'baseUrl' | 'endpoints'>> & {
  endpoints?: Partial<AuthConfig['endpoints']>
} & ({ baseUrl: string; baseUrls?: undefined } | { baseUrls: BaseUrls; baseUrl?: undefined })

export function envVersion(): EnvVersion {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion
  } catch {
    // Outside a real WeChat runtime the safe guess is a development build, never production.
    return 'develop'
  }
}

export function createConfig(options: ConfigOptions): AuthConfig {
  const { baseUrls, baseUrl, endpoints, ...overrides } = options
  return {
    baseUrl: baseUrls === undefined ? baseUrl : baseUrls[envVersion()],
    endpoints: { ...API_PATHS, ...endpoints },
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
