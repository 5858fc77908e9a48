/**
 * WeChat's events and APIs as the auth module meets them, where miniprogram-api-typings 5.2 leaves
 * them out or types them too narrowly. Module types, not additions to the global WechatMiniprogram
 * namespace, so that the auth module carries its own types wherever it is used (the npm package
 * included); typings/index.d.ts gives the app's pages the same types under WechatMiniprogram.
 */

/**
 * The getphonenumber event's detail. The official type says `code: string`, but the event has no
 * code below base library 2.21.2 nor on failure, and failures carry `errno` (1400001 quota, 104
 * privacy not agreed, 112 undeclared).
 */
export type PhoneNumberDetail = Partial<WechatMiniprogram.ButtonGetPhoneNumber['detail']> & {
  errMsg: string
  errno?: number
}

/**
 * `<button open-type="getRealtimePhoneNumber" bindgetrealtimephonenumber>` (base library 2.24.4):
 * a code only, redeemed by the backend as the fast button's; `errno` on failure (1400001 quota).
 */
export type RealtimePhoneNumberEvent = WechatMiniprogram.CustomEvent<{
  code?: string
  errMsg: string
  errno?: number
}>

/** The getuserinfo event's detail: nothing but errMsg (and errno) on failure. */
export type UserInfoDetail = Partial<WechatMiniprogram.ButtonGetUserInfo['detail']> & {
  errMsg: string
  errno?: number
}

/** The argument of the resolve function that wx.onNeedPrivacyAuthorization hands its listener. */
export type PrivacyResolveOption =
  { event: 'exposureAuthorization' } | { event: 'agree'; buttonId: string } | { event: 'disagree' }

/** The official typings declare the listener as `(res: GeneralCallbackResult) => void`. */
export type NeedPrivacyAuthorizationListener = (
  resolve: (option: PrivacyResolveOption) => void,
  eventInfo: { referrer: string },
) => void
