/// <reference types="miniprogram-api-typings" />

interface IAppOption {
  globalData: Record<string, never>
  /** The one auth instance of the app: session, requests, consent flows and privacy. */
  // A top-level import would turn this global declaration file into a module.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  auth: import('../miniprogram/auth/index').Auth
}

/**
 * Events and APIs that miniprogram-api-typings 5.2 leaves out or types too narrowly.
 * Kept here, in one place, so they can go once the official typings catch up.
 */
declare namespace WechatMiniprogram {
  /**
   * The official type says `code: string`, but the event has no code below base library 2.21.2 nor
   * on failure, and failures carry `errno` (1400001 quota, 104 privacy not agreed, 112 undeclared).
   */
  type PhoneNumberDetail = Partial<ButtonGetPhoneNumber['detail']> & {
    errMsg: string
    errno?: number
  }

  /**
   * `<button open-type="getRealtimePhoneNumber" bindgetrealtimephonenumber>` (base library 2.24.4):
   * a code only, redeemed by the backend as the fast button's; `errno` on failure (1400001 quota).
   */
  type ButtonGetRealtimePhoneNumber = CustomEvent<{ code?: string; errMsg: string; errno?: number }>

  type UserInfoDetail = Partial<ButtonGetUserInfo['detail']> & { errMsg: string; errno?: number }

  /** `<button open-type="chooseAvatar" bindchooseavatar>` (base library 2.21.2). */
  type ButtonChooseAvatar = CustomEvent<{ avatarUrl: string }>

  /** `<input type="nickname" bindnicknamereview>` (base library 2.29.1). */
  type InputNicknameReview = CustomEvent<{ pass: boolean; timeout: boolean }>

  /** `<form bindsubmit>`: the values of the named fields. */
  type FormSubmitNickname = CustomEvent<{ value: { nickName?: string } }>

  /** The argument of the resolve function that wx.onNeedPrivacyAuthorization hands its listener. */
  type PrivacyResolveOption =
    | { event: 'exposureAuthorization' }
    | { event: 'agree'; buttonId: string }
    | { event: 'disagree' }

  /** The official typings declare the listener as `(res: GeneralCallbackResult) => void`. */
  type NeedPrivacyAuthorizationListener = (
    resolve: (option: PrivacyResolveOption) => void,
    eventInfo: { referrer: string },
  ) => void
}
