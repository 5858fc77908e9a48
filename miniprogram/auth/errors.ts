/**
 * Every failure the auth module reports is an AuthError with a code a caller can switch on.
 * Server codes come from the contract module; the client adds its own for what never reached a
 * server.
 */
import type { ErrorCode } from '../contract/errors'

export type ServerErrorCode = ErrorCode

export type ClientErrorCode =
  /** wx.request / wx.uploadFile failed before an answer arrived. */
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  /** A non-2xx answer without the contract's error shape (a proxy's HTML page, say). */
  | 'HTTP_ERROR'
  /** An answer whose body is not what the contract promises: nothing of it is kept or shown. */
  | 'BAD_RESPONSE'
  | 'WX_LOGIN_FAILED'
  /** wx.login failed with errno 1402101: WeChat blocks this user from logging in here. */
  | 'WX_LOGIN_BLOCKED'
  /** A step that must not log in (a consent callback) found no session. */
  | 'NOT_LOGGED_IN'
  /** The login succeeded but storage refused its token (setStorageSync threw: storage full). */
  | 'STORAGE_FAILED'

/** Known codes autocomplete; a backend's own extra codes still pass through unchanged. */
export type AuthErrorCode = ServerErrorCode | ClientErrorCode | (string & Record<never, never>)

// 408: the server (or a proxy) gave up waiting for the request to arrive, so it did nothing with
// it; the same request on a better moment of the network may well get through.
const TRANSIENT_STATUS = [408, 502, 503, 504]

export class AuthError extends Error {
  readonly isAuthError = true
  /** 0 when no HTTP answer arrived. */
  readonly status: number
  readonly code: AuthErrorCode

  constructor(code: AuthErrorCode, message: string, status = 0) {
    super(message)
    this.name = 'AuthError'
    this.code = code
    this.status = status
    // DevTools may compile to ES5, where subclasses of Error lose their prototype.
    Object.setPrototypeOf(this, AuthError.prototype)
  }

  /**
   * Worth trying again unchanged: the network, a timeout (ours, or the server's 408
   * REQUEST_TIMEOUT) or a gateway, never a verdict. A 502 WECHAT_ERROR is one (a wrong appid or
   * secret on the backend): trying again only burns quota.
   */
  get transient(): boolean {
    return (
      this.code === 'NETWORK_ERROR' ||
      this.code === 'TIMEOUT' ||
      this.code === 'WX_LOGIN_FAILED' ||
      (TRANSIENT_STATUS.includes(this.status) && this.code !== 'WECHAT_ERROR')
    )
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { isAuthError?: unknown }).isAuthError === true
  )
}

/** Anything thrown by our own code or the platform, as an AuthError. */
export function toAuthError(value: unknown): AuthError {
  if (isAuthError(value)) return value
  const message = value instanceof Error ? value.message : String(value)
  return new AuthError('BAD_RESPONSE', message)
}
