/**
 * Where each gated feature appeared (docs/wechat-platform.md §9), as the test fakes play WeChat.
 * Written here once, independently of miniprogram/auth/features.ts, which is what they check.
 */
export const SINCE = {
  getAppBaseInfo: '2.20.1',
  /** The getphonenumber event carries `code` beside the legacy encryptedData/iv. */
  phoneCode: '2.21.2',
  /** open-type="getRealtimePhoneNumber" and its bindgetrealtimephonenumber event. */
  realtimePhone: '2.24.4',
  privacy: '2.32.3',
  /** open-type="getPhoneNumber|agreePrivacyAuthorization" (or the real-time one) in one button. */
  phoneWithPrivacy: '2.33.1',
  /** The button's phone-number-no-quota-toast attribute. */
  noQuotaToast: '3.0.1',
} as const

/** What wx.canIUse answers, and from which version. */
export const CAN_I_USE: Record<string, string> = {
  'button.open-type.getUserInfo': '1.3.0',
  'button.open-type.getPhoneNumber': '1.2.0',
  'button.open-type.chooseAvatar': '2.21.2',
  'input.type.nickname': '2.21.2',
  'button.open-type.agreePrivacyAuthorization': '2.32.3',
}

/**
 * Schemas canIUse is reported to answer wrongly: false for getRealtimePhoneNumber even on 2.24.4
 * and later (developers' community, 2023). The fakes answer false too, so gating on it shows.
 */
export const CAN_I_USE_WRONG = ['button.open-type.getRealtimePhoneNumber']

export function versionAtLeast(version: string, since: string): boolean {
  const a = version.split('.').map(Number)
  const b = since.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0)
  }
  return true
}

/** wx.canIUse as the fakes answer it; an unknown schema is a test that forgot to say. */
export function canIUseAt(version: string, schema: string): boolean {
  if (CAN_I_USE_WRONG.includes(schema)) return false
  const since = CAN_I_USE[schema]
  if (!since) throw new Error(`the fake wx.canIUse does not know '${schema}'`)
  return versionAtLeast(version, since)
}
