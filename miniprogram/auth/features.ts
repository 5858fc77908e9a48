/**
 * Base-library gates, decided by feature detection (wx.canIUse or the API's presence) and, where
 * WeChat offers neither, by the version. Pages render a fallback below each gate.
 */
import type { Platform } from './platform'

/** -1, 0 or 1, comparing dotted versions numerically ('2.9.0' < '2.10.0'). */
export function compareVersion(a: string, b: string): number {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0)
    if (d !== 0) return d > 0 ? 1 : -1
  }
  return 0
}

export interface Features {
  /** <button open-type="getUserInfo">, the documented user-info button (1.3.0). */
  userInfoButton: boolean
  /** <button open-type="chooseAvatar"> and <input type="nickname"> (2.21.2). */
  profileFillIn: boolean
  /** The privacy APIs and open-type="agreePrivacyAuthorization" (2.32.3). */
  privacy: boolean
  /** open-type="getRealtimePhoneNumber" and its bindgetrealtimephonenumber event (2.24.4). */
  realtimePhone: boolean
  /** open-type="getPhoneNumber|agreePrivacyAuthorization": one tap agrees and asks (2.33.1). */
  phoneWithPrivacy: boolean
}

export function detectFeatures(platform: Platform): Features {
  const privacy = platform.privacy !== null
  const since = (version: string) => compareVersion(platform.sdkVersion(), version) >= 0
  return {
    userInfoButton: platform.canIUse('button.open-type.getUserInfo'),
    profileFillIn:
      platform.canIUse('button.open-type.chooseAvatar') && platform.canIUse('input.type.nickname'),
    privacy,
    // canIUse is reported to answer false for it even where it works.
    realtimePhone: since('2.24.4'),
    // canIUse knows nothing of combined open-types, so this one goes by version.
    phoneWithPrivacy: privacy && since('2.33.1'),
  }
}
