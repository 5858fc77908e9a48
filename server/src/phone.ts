export interface PhoneInfo {
  /** With the area code for numbers outside mainland China. */
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
}

/** WeChat documents countryCode as a string but its own example sends the number 86. */
export function parsePhoneInfo(value: unknown): PhoneInfo | null {
  if (typeof value !== 'object' || value === null) return null
  const { phoneNumber, purePhoneNumber, countryCode } = value as Record<string, unknown>
  if (typeof phoneNumber !== 'string' || typeof purePhoneNumber !== 'string') return null
  if (typeof countryCode !== 'string' && typeof countryCode !== 'number') return null
  return { phoneNumber, purePhoneNumber, countryCode: String(countryCode) }
}
