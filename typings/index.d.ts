/// <reference types="miniprogram-api-typings" />

interface IAppOption {
  globalData: Record<string, never>
  /** The one auth instance of the app: session, requests, consent flows and privacy. */
  // A top-level import would turn this global declaration file into a module.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  auth: import('../miniprogram/auth/index').Auth
}

/**
 * Events and APIs that miniprogram-api-typings 5.2 leaves out or types too narrowly, for the pages.
 * Those the auth module meets are defined in miniprogram/auth/wechat.ts (the npm package carries
 * them) and named here too; the rest only the pages use. Kept in one place, so they can go once the
 * official typings catch up.
 */
declare namespace WechatMiniprogram {
  /* eslint-disable @typescript-eslint/consistent-type-imports */
  type PhoneNumberDetail = import('../miniprogram/auth/wechat').PhoneNumberDetail
  type ButtonGetRealtimePhoneNumber = import('../miniprogram/auth/wechat').RealtimePhoneNumberEvent
  type UserInfoDetail = import('../miniprogram/auth/wechat').UserInfoDetail
  type PrivacyResolveOption = import('../miniprogram/auth/wechat').PrivacyResolveOption
  type NeedPrivacyAuthorizationListener =
    import('../miniprogram/auth/wechat').NeedPrivacyAuthorizationListener
  /* eslint-enable @typescript-eslint/consistent-type-imports */

  /** `<button open-type="chooseAvatar" bindchooseavatar>` (base library 2.21.2). */
  type ButtonChooseAvatar = CustomEvent<{ avatarUrl: string }>

  /** `<input type="nickname" bindnicknamereview>` (base library 2.29.1). */
  type InputNicknameReview = CustomEvent<{ pass: boolean; timeout: boolean }>

  /** `<form bindsubmit>`: the values of the named fields. */
  type FormSubmitNickname = CustomEvent<{ value: { nickName?: string } }>
}
