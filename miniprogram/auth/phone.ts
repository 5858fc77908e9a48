/**
 * The phone-number button. Each success is billed by WeChat, so a payload is posted once, a retry
 * re-sends the same payload instead of asking for a new tap, and a network error never re-taps.
 */
import { ConsentFlow } from './consent'

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

  /** The code (base library 2.21.2+), the legacy encrypted payload, or both, as the event has them. */
  protected payloadOf(detail: WechatMiniprogram.PhoneNumberDetail): Record<string, string> | null {
    const payload: Record<string, string> = {}
    if (detail.code) payload.code = detail.code
    if (detail.encryptedData && detail.iv) {
      payload.encryptedData = detail.encryptedData
      payload.iv = detail.iv
    }
    return payload.code || payload.encryptedData ? payload : null
  }

  protected accept(phone: PhoneNumber): PhoneNumber {
    const { user } = this.session
    if (user) this.session.setUser({ ...user, phoneNumber: phone.phoneNumber })
    return phone
  }
}
