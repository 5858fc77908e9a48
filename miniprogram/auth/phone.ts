/**
 * The phone-number button. Each success is billed by WeChat, so a payload is posted once, a retry
 * re-sends the same payload instead of asking for a new tap, and a network error never re-taps.
 */
import { ConsentFlow, type ConsentPayload } from './consent'

export interface PhoneNumber {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
}

export class PhoneFlow extends ConsentFlow<
  WechatMiniprogram.PhoneNumberDetail,
  PhoneNumber,
  PhoneNumber
> {
  protected path(): string {
    return this.config.endpoints.phone
  }

  /**
   * The code (base library 2.21.2+, and the real-time button), the legacy encrypted payload, or
   * both, as the event has them. The code is redeemed by WeChat's server, not decrypted with the
   * session_key, so it alone may be sent again after a login.
   */
  protected payloadOf(detail: WechatMiniprogram.PhoneNumberDetail): ConsentPayload | null {
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
