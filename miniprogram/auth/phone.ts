/**
 * The phone-number button. Each success is billed by WeChat, so a payload is posted once, a retry
 * re-sends the same payload instead of asking for a new tap, and a network error never re-taps.
 */
import type { AuthConfig, PhoneKind } from './config'
import { PHONE_NUMBER, type PhoneNumber } from '../contract/answers'
import { ConsentFlow, type ConsentPayload } from './consent'
import type { Features } from './features'
import type { Requester } from './request'
import type { Session } from './session'
import type { PhoneNumberDetail } from './wechat'

export type { PhoneNumber }

/** The button a page renders: its open-type, and the kind the user actually gets. */
export interface PhoneButton {
  kind: PhoneKind
  openType: string
}

const OPEN_TYPE: Record<PhoneKind, string> = {
  fast: 'getPhoneNumber',
  realtime: 'getRealtimePhoneNumber',
}

export class PhoneFlow extends ConsentFlow<PhoneNumberDetail, typeof PHONE_NUMBER, PhoneNumber> {
  protected readonly answer = PHONE_NUMBER

  constructor(
    session: Session,
    requester: Requester,
    config: AuthConfig,
    now: () => number,
    private readonly features: Features,
  ) {
    super(session, requester, config, now)
  }

  /**
   * The configured kind where the base library has it: below 2.24.4 a real-time configuration
   * gets the fast button (an unknown open-type would do nothing at all). From 2.33.1 the button
   * is also the privacy agreement's.
   */
  get button(): PhoneButton {
    const { realtimePhone, phoneWithPrivacy } = this.features
    const kind = this.config.phoneKind === 'realtime' && realtimePhone ? 'realtime' : 'fast'
    const openType = OPEN_TYPE[kind]
    return { kind, openType: phoneWithPrivacy ? `${openType}|agreePrivacyAuthorization` : openType }
  }

  protected path(): string {
    return this.config.endpoints.phone
  }

  /**
   * The code (base library 2.21.2+, and the real-time button), the legacy encrypted payload, or
   * both, as the event has them. The code is redeemed by WeChat's server, not decrypted with the
   * session_key, so it alone may be sent again after a login.
   */
  protected payloadOf(detail: PhoneNumberDetail): ConsentPayload | null {
    const data: Record<string, string> = {}
    if (detail.code) data.code = detail.code
    if (detail.encryptedData && detail.iv) {
      data.encryptedData = detail.encryptedData
      data.iv = detail.iv
    }
    if (!data.code && !data.encryptedData) return null
    return { data, keyFree: data.code ? { code: data.code } : null }
  }

  protected accept(phone: PhoneNumber): PhoneNumber {
    const { user } = this.session
    if (user) this.session.setUser({ ...user, phoneNumber: phone.phoneNumber })
    return phone
  }
}
