/**
 * What the phone-number and user-info buttons have in common: the session made ready before the
 * tap, the platform's verdict read out of the event, and the payload posted without calling
 * wx.login on the way — and never thrown away while the backend can still redeem it.
 */
import type { AuthConfig } from './config'
import type { Infer, Schema } from '../contract/schema'
import { toAuthError, type AuthError, type AuthErrorCode } from './errors'
import type { Requester } from './request'
import { WX_ERRNO } from './errno'
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
  /** errno 1402101: WeChat blocks this user from logging in to this mini-program. */
  | 'login-blocked'
  /** errno 1421102: WeChat blocks this user's phone number from this mini-program. */
  | 'phone-blocked'
  | 'failed'

export interface ConsentDetail {
  errMsg: string
  errno?: number
}

function rejectionOf(detail: ConsentDetail): Rejection | null {
  const { errMsg, errno } = detail
  if (/:ok$/.test(errMsg)) return null
  if (errno === WX_ERRNO.PHONE_QUOTA_EXHAUSTED) return 'quota-exhausted'
  if (errno === WX_ERRNO.LOGIN_BLOCKED) return 'login-blocked'
  if (errno === WX_ERRNO.PHONE_BLOCKED) return 'phone-blocked'
  if (errno === WX_ERRNO.PRIVACY_NOT_AGREED || /privacy permission is not authorized/.test(errMsg))
    return 'privacy-not-agreed'
  if (errno === WX_ERRNO.PRIVACY_UNDECLARED || /not declared in the privacy agreement/.test(errMsg))
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
  /**
   * The backend could not use this payload: one more tap will do. `afterLogin`: the session or its
   * session_key did not fit, and a login after the answer has renewed it.
   */
  | { kind: 'retap'; error: AuthError; afterLogin: boolean }
  /** Nothing was decided (network, busy backend): `retry` tries again without a new tap. */
  | { kind: 'error'; error: AuthError; retry: () => Promise<ConsentOutcome<T>> }

/** A payload the backend has not used yet: `retry` sends it again. */
export type UnspentOutcome<T> = Extract<ConsentOutcome<T>, { kind: 'error' }>

/** How long WeChat honours what a tap hands over (a phone code lives five minutes). */
export const UNSPENT_FOR_MS = 5 * 60 * 1000

/** The backend's session_key or our token did not fit the payload: log in, then tap again. */
const RELOGIN_THEN_RETAP: AuthErrorCode[] = [
  'SESSION_KEY_STALE',
  'SIGNATURE_INVALID',
  'UNAUTHORIZED',
  'NOT_LOGGED_IN',
]
/** No session the backend accepts: a payload that needs no session_key is sent again instead. */
const NO_SESSION: AuthErrorCode[] = ['UNAUTHORIZED', 'NOT_LOGGED_IN']
/**
 * The payload itself is spent or stale; a new tap brings a new one. WeChat busy or garbled while
 * it had the code (503 WECHAT_UNAVAILABLE, 502 WECHAT_BAD_ANSWER) may have spent it too: the
 * same code sent again would only come back WECHAT_CODE_INVALID.
 */
const RETAP: AuthErrorCode[] = [
  'WECHAT_CODE_INVALID',
  'WATERMARK_INVALID',
  'WECHAT_UNAVAILABLE',
  'WECHAT_BAD_ANSWER',
]

/** What an event hands the backend. */
export interface ConsentPayload {
  data: Record<string, string>
  /**
   * The part the backend redeems without the session_key the rest was sealed with (a phone code:
   * WeChat's server answers for it), or null when everything needs that key. Only this part may
   * be sent again after a login, which can replace the key.
   */
  keyFree: Record<string, string> | null
}

/**
 * A button whose event carries a payload sealed by WeChat, for the backend to redeem or decrypt.
 * `D` is the event's detail, `A` the contract's schema of the backend's answer, `T` what the page
 * gets.
 */
export abstract class ConsentFlow<D extends ConsentDetail, A extends Schema, T> {
  /** The last tap's payload while it is unspent and WeChat still honours it. */
  private held: { outcome: UnspentOutcome<T>; until: number; generation: number } | null = null

  constructor(
    protected readonly session: Session,
    protected readonly requester: Requester,
    protected readonly config: AuthConfig,
    private readonly now: () => number,
  ) {}

  /**
   * A tap whose payload failed in transit, kept here rather than by the page that showed it, so
   * that any page opened within its five minutes offers 重试 for it: a billed tap is never thrown
   * away with a page. null once it is redeemed, answered for good, or expired.
   */
  unspent(): UnspentOutcome<T> | null {
    // A session ended since (logout, 注销) takes its taps with it: never another account's.
    const { held } = this
    if (held && this.now() < held.until && held.generation === this.session.generation) {
      return held.outcome
    }
    this.held = null
    return null
  }

  /** Call when the page shows, so the tap finds a session whose session_key WeChat still holds. */
  prepare(): Promise<void> {
    return this.session.ensureWechatSession()
  }

  /**
   * The button handler's whole job. Never calls wx.login before the backend has answered, except
   * for a payload that needs no session_key, which has nothing a login could spoil.
   */
  submit(detail: D): Promise<ConsentOutcome<T>> {
    this.held = null
    const rejection = rejected(detail)
    if (rejection) return Promise.resolve(rejection)
    const payload = this.payloadOf(detail)
    if (!payload) {
      return Promise.resolve({ kind: 'rejected', reason: 'failed', errMsg: 'no payload' })
    }
    const post = (data: Record<string, string>) => async () =>
      this.accept(
        await this.requester.request({
          path: this.path(),
          method: 'POST',
          data,
          relogin: false,
          answer: this.answer,
        }),
      )
    const outcome = submitConsent(
      this.session,
      post(payload.data),
      payload.keyFree && post(payload.keyFree),
    )
    return this.hold(outcome, this.now() + UNSPENT_FOR_MS)
  }

  /** Keeps an unspent outcome until `until`; its retry, whoever runs it, keeps what it brings. */
  private async hold(
    pending: Promise<ConsentOutcome<T>>,
    until: number,
  ): Promise<ConsentOutcome<T>> {
    const outcome = await pending
    if (outcome.kind !== 'error') {
      this.held = null
      return outcome
    }
    const held: UnspentOutcome<T> = {
      ...outcome,
      retry: () => {
        this.held = null
        return this.hold(outcome.retry(), until)
      },
    }
    this.held = { outcome: held, until, generation: this.session.generation }
    return held
  }

  protected abstract path(): string
  /** The contract's schema of the answer: anything else is BAD_RESPONSE, kept nowhere. */
  protected abstract readonly answer: A
  /** What of the event goes to the backend; null when the event has nothing to send. */
  protected abstract payloadOf(detail: D): ConsentPayload | null
  /** The backend's answer, after keeping what the session should know of it. */
  protected abstract accept(answer: Infer<A>): T
}

/**
 * Posts a consent payload. A re-login, when needed, happens only after the backend has answered:
 * by then the payload is used up, so rotating the session_key can no longer spoil it. `resend`
 * posts the part that needs no session_key, when there is one.
 */
async function submitConsent<T>(
  session: Session,
  send: () => Promise<T>,
  resend: (() => Promise<T>) | null,
): Promise<ConsentOutcome<T>> {
  try {
    return { kind: 'ok', value: await send() }
  } catch (err) {
    const error = toAuthError(err)
    if (resend && NO_SESSION.includes(error.code)) return resendAfterLogin(session, resend)
    if (RELOGIN_THEN_RETAP.includes(error.code)) return relogin(session, error)
    if (RETAP.includes(error.code)) return { kind: 'retap', error, afterLogin: false }
    return { kind: 'error', error, retry: () => submitConsent(session, send, resend) }
  }
}

/**
 * The token was dead or missing, and the payload does not depend on the session_key: a login,
 * then the same payload once more, no second (billed) tap. Whatever fails on the way leaves the
 * payload unspent, so 重试 does the same again.
 */
async function resendAfterLogin<T>(
  session: Session,
  resend: () => Promise<T>,
): Promise<ConsentOutcome<T>> {
  try {
    await session.ensure()
    return { kind: 'ok', value: await resend() }
  } catch (err) {
    const error = toAuthError(err)
    if (RETAP.includes(error.code)) return { kind: 'retap', error, afterLogin: false }
    return { kind: 'error', error, retry: () => resendAfterLogin(session, resend) }
  }
}

async function relogin<T>(session: Session, cause: AuthError): Promise<ConsentOutcome<T>> {
  try {
    await session.login({ force: true })
    return { kind: 'retap', error: cause, afterLogin: true }
  } catch (err) {
    return { kind: 'error', error: toAuthError(err), retry: () => relogin(session, cause) }
  }
}
