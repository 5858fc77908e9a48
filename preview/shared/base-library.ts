/**
 * From which base library WeChat's client has each gated API, component attribute and behaviour
 * (WeChat's API and component docs: each page's 基础库 column), as WeChat is played by the browser preview and by the tests' fake
 * wx. Written from the platform's documentation, apart from miniprogram/auth/features.ts and its
 * compareVersion, which both exist to check.
 */

/** APIs and `component.attribute.value` schemas: below these, absent from wx and canIUse false. */
export const SINCE: Readonly<Record<string, string>> = {
  getAppBaseInfo: '2.20.1',
  getWindowInfo: '2.20.1',
  getDeviceInfo: '2.20.1',
  getUserProfile: '2.10.4',
  getPrivacySetting: '2.32.3',
  onNeedPrivacyAuthorization: '2.32.3',
  requirePrivacyAuthorize: '2.32.3',
  openPrivacyContract: '2.32.3',
  'button.open-type.getPhoneNumber': '1.2.0',
  'button.open-type.getUserInfo': '1.3.0',
  'button.open-type.chooseAvatar': '2.21.2',
  'button.open-type.getRealtimePhoneNumber': '2.24.4',
  'button.open-type.agreePrivacyAuthorization': '2.32.3',
  'input.type.nickname': '2.21.2',
  'input.bindnicknamereview': '2.29.1',
}

/** Behaviours canIUse cannot tell. */
export const BEHAVIOUR_SINCE = {
  /** getphonenumber carries a code, not only encryptedData/iv. */
  phoneCode: '2.21.2',
  /** fail results carry errno. */
  errno: '2.24.0',
  /** A nickname is checked when the input loses focus, and cleared if it fails. */
  nicknameCheck: '2.24.4',
  /** Without the privacy agreement, type="nickname" silently becomes a plain text input. */
  nicknameNeedsAgreement: '3.4.1',
  /** open-type="getPhoneNumber|agreePrivacyAuthorization" (or the real-time one) in one button. */
  combinedOpenType: '2.33.1',
  /** The button's phone-number-no-quota-toast attribute. */
  noQuotaToast: '3.0.1',
} as const

/**
 * Schemas canIUse is reported to answer wrongly: false for getRealtimePhoneNumber even on 2.24.4
 * and later (developers' community, 2023).
 */
export const CAN_I_USE_WRONG: readonly string[] = ['button.open-type.getRealtimePhoneNumber']

export function versionAtLeast(version: string, since: string): boolean {
  const a = version.split('.').map(Number)
  const b = since.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0)
  }
  return true
}
