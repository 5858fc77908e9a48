/**
 * The phone-number button. Each success is billed by WeChat, so a payload is posted once, a retry
 * re-sends the same payload instead of asking for a new tap, and a network error never re-taps.
 */
import type { AuthConfig } from '../config'
import { rejected, submitConsent, type ConsentOutcome } from './consent'
import type { Requester } from './request'
import type { Session } from './session'

export interface PhoneNumber {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
}

/** What the event carried: the code (base library ≥ 2.21.2), the legacy encrypted payload, or both. */
export interface PhonePayload {
  code?: string
  encryptedData?: string
  iv?: string
}

export class PhoneFlow {
  constructor(
    private readonly session: Session,
    private readonly requester: Requester,
    private readonly config: AuthConfig,
  ) {}

  /** Call when the page shows, so the tap finds a session whose session_key WeChat still holds. */
  prepare(): Promise<void> {
    return this.session.ensureWechatSession()
  }

  /** The getphonenumber handler's whole job. Never calls wx.login before the backend answers. */
  submit(detail: WechatMiniprogram.PhoneNumberDetail): Promise<ConsentOutcome<PhoneNumber>> {
    const rejection = rejected(detail)
    if (rejection) return Promise.resolve(rejection)
    const payload = payloadOf(detail)
    if (!payload) {
      return Promise.resolve({
        kind: 'rejected',
        reason: 'failed',
        errMsg: 'no code, no encryptedData',
      })
    }
    return submitConsent(this.session, async () => {
      const phone = await this.requester.request<PhoneNumber>({
        path: this.config.endpoints.phone,
        method: 'POST',
        data: { ...payload },
        relogin: false,
      })
      const { user } = this.session
      if (user) this.session.setUser({ ...user, phoneNumber: phone.phoneNumber })
      return phone
    })
  }
}

function payloadOf(detail: WechatMiniprogram.PhoneNumberDetail): PhonePayload | null {
  const payload: PhonePayload = {}
  if (detail.code) payload.code = detail.code
  if (detail.encryptedData && detail.iv) {
    payload.encryptedData = detail.encryptedData
    payload.iv = detail.iv
  }
  return payload.code || payload.encryptedData ? payload : null
}
