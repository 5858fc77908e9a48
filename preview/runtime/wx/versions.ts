/**
 * Base-library gates: from which version WeChat has an API, a component attribute or a behaviour
 * (docs/wechat-platform.md §9). Below its version an API is absent from wx and canIUse says no,
 * as on an old WeChat.
 */
import { compareVersion } from '../../../miniprogram/auth/features'
import { readSettings } from '../../shared/state'

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
  /** open-type="getPhoneNumber|agreePrivacyAuthorization". */
  combinedOpenType: '2.33.1',
} as const

/** The base library picked in the panel; a change takes effect at the next launch. */
export const sdkVersion = readSettings().sdkVersion

export function atLeast(version: string): boolean {
  return compareVersion(sdkVersion, version) >= 0
}

/** Whether a gated name (an API or a `component.attribute.value`) exists in this base library. */
export function available(name: string): boolean {
  const since = SINCE[name]
  return since === undefined || atLeast(since)
}
