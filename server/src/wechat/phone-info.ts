import type { PhoneNumber } from '../../../miniprogram/contract'
import { COUNTRY_CODE, PHONE_NUMBER, PURE_PHONE_NUMBER } from '../../../common/wechat-formats'

export type { PhoneNumber }

/**
 * WeChat's phone_info (getuserphonenumber), or the legacy decrypted payload: null unless each
 * field is a number of digits of a sane length (common/wechat-formats.ts). WeChat documents
 * countryCode as a string but its own example sends the number 86.
 */
export function parsePhoneInfo(value: unknown): PhoneNumber | null {
  if (typeof value !== 'object' || value === null) return null
  const { phoneNumber, purePhoneNumber, countryCode } = value as Record<string, unknown>
  if (typeof phoneNumber !== 'string' || !PHONE_NUMBER.test(phoneNumber)) return null
  if (typeof purePhoneNumber !== 'string' || !PURE_PHONE_NUMBER.test(purePhoneNumber)) return null
  const country = typeof countryCode === 'number' ? String(countryCode) : countryCode
  if (typeof country !== 'string' || !COUNTRY_CODE.test(country)) return null
  return { phoneNumber, purePhoneNumber, countryCode: country }
}
