/**
 * What the phone-number and user-info buttons have in common: the session made ready before the
 * tap, the platform's verdict read out of the event, and the payload posted without ever calling
 * wx.login on the way.
 */
import type { AuthConfig } from '../config'
import { toAuthError, type AuthError, type AuthErrorCode } from './errors'
import type { Requester } from './request'
import type { Session } from './session'

/** Why a button event carried no payload. */
export type Rejection =
  /** The user said no (iOS: "fail user deny", Android: "fail:user deny", or "cancel"). */
  | 'denied'
  /** This mini-program's account may not use the API (personal or unverified): not the user's fault. */
  | 'no-permission'
  /** errno 1400001: the phone-number quota is used up. */
  | 'quota-exhausted'
  /** errno 104: the user has not agreed to the privacy guideline. */
  | 'privacy-not-agreed'
  /** errno 112: the API is missing from the privacy guideline: a configuration error. */
  | 'privacy-undeclared'
  | 'failed'

export interface ConsentDetail {
  errMsg: string
  errno?: number
}

function rejectionOf(detail: ConsentDetail): Rejection | null {
  const { errMsg, errno } = detail
  if (/:ok$/.test(errMsg)) return null
  if (errno === 1400001) return 'quota-exhausted'
  if (errno === 104 || /privacy permission is not authorized/.test(errMsg))
    return 'privacy-not-agreed'
  if (errno === 112 || /not declared in the privacy agreement/.test(errMsg))
    return 'privacy-undeclared'
  if (/no permission/.test(errMsg)) return 'no-permission'
  if (/deny|cancel/.test(errMsg)) return 'denied'
  return 'failed'
}

/**
 * The outcome of an event that carried no payload, or null when it did. errno 112 is the
 * developer's to fix (declare the API in the admin console), so it is also said in the console.
 */
function rejected(detail: ConsentDetail): ConsentOutcome<never> | null {
  const reason = rejectionOf(detail)
  if (reason === null) return null
  if (reason === 'privacy-undeclared') {
    console.error(
      `${detail.errMsg}: declare this API in the mini-program admin console ` +
        '(设置 → 服务内容声明 → 用户隐私保护指引), then publish again',
    )
  }
  return { kind: 'rejected', reason, errMsg: detail.errMsg }
}

export type ConsentOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'rejected'; reason: Rejection; errMsg: string }
  /** The backend could not use this payload; the session is fresh again: one more tap will do. */
  | { kind: 'retap'; error: AuthError }
  /** Nothing was decided (network, busy backend): `retry` tries again without a new tap. */
  | { kind: 'error'; error: AuthError; retry: () => Promise<ConsentOutcome<T>> }

/** The backend's session_key or our token did not fit the payload: log in, then tap again. */
const RELOGIN_THEN_RETAP: AuthErrorCode[] = [
  'SESSION_KEY_STALE',
  'SIGNATURE_INVALID',
  'UNAUTHORIZED',
  'NOT_LOGGED_IN',
]
/** The payload itself is spent or stale; a new tap brings a new one. */
const RETAP: AuthErrorCode[] = ['WECHAT_CODE_INVALID', 'WATERMARK_INVALID']

/**
 * A button whose event carries a payload sealed by WeChat, for the backend to redeem or decrypt.
 * `D` is the event's detail, `A` the backend's answer, `T` what the page gets.
 */
export abstract class ConsentFlow<D extends ConsentDetail, A, T> {
  constructor(
    protected readonly session: Session,
    protected readonly requester: Requester,
    protected readonly config: AuthConfig,
  ) {}

  /** Call when the page shows, so the tap finds a session whose session_key WeChat still holds. */
  prepare(): Promise<void> {
    return this.session.ensureWechatSession()
  }

  /** The button handler's whole job. Never calls wx.login before the backend has answered. */
  submit(detail: D): Promise<ConsentOutcome<T>> {
    const rejection = rejected(detail)
    if (rejection) return Promise.resolve(rejection)
    const data = this.payloadOf(detail)
    if (!data) {
      return Promise.resolve({ kind: 'rejected', reason: 'failed', errMsg: 'no payload' })
    }
    const send = async () =>
      this.accept(
        await this.requester.request<A>({
          path: this.path(),
          method: 'POST',
          data,
          relogin: false,
        }),
      )
    return submitConsent(this.session, send)
  }

  protected abstract path(): string
  /** What of the event goes to the backend; null when the event has nothing to send. */
  protected abstract payloadOf(detail: D): Record<string, string> | null
  /** The backend's answer, after keeping what the session should know of it. */
  protected abstract accept(answer: A): T
}

/**
 * Posts a consent payload. A re-login, when needed, happens only after the backend has answered:
 * by then the payload is used up, so rotating the session_key can no longer spoil it.
 */
async function submitConsent<T>(
  session: Session,
  send: () => Promise<T>,
): Promise<ConsentOutcome<T>> {
  try {
    return { kind: 'ok', value: await send() }
  } catch (err) {
    const error = toAuthError(err)
    if (RELOGIN_THEN_RETAP.includes(error.code)) return relogin(session, error)
    if (RETAP.includes(error.code)) return { kind: 'retap', error }
    return { kind: 'error', error, retry: () => submitConsent(session, send) }
  }
}

async function relogin<T>(session: Session, cause: AuthError): Promise<ConsentOutcome<T>> {
  try {
    await session.login({ force: true })
    return { kind: 'retap', error: cause }
  } catch (err) {
    return { kind: 'error', error: toAuthError(err), retry: () => relogin(session, cause) }
  }
}
