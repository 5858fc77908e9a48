import type { PhoneNumber } from '../../../miniprogram/contract'

export type { PhoneNumber }

function text(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

/** WeChat documents countryCode as a string but its own example sends the number 86. */
export function parsePhoneInfo(value: unknown): PhoneNumber | null {
  if (typeof value !== 'object' || value === null) return null
  const { phoneNumber, purePhoneNumber, countryCode } = value as Record<string, unknown>
  if (!text(phoneNumber) || !text(purePhoneNumber)) return null
  if (!text(countryCode) && typeof countryCode !== 'number') return null
  return { phoneNumber, purePhoneNumber, countryCode: String(countryCode) }
}
