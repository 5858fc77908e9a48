/**
 * The entry of the npm package `weapp-login` (packages/weapp-login, built from this file by
 * scripts/weapp-login/build.ts): what `import … from 'weapp-login'` gives another mini-program.
 * This app imports the same modules directly; nothing here is a copy.
 */

// The auth module: createAuth, createConfig, AuthError, the flows' types.
export * from './auth/index'
export { wxPlatform } from './auth/platform'
export type {
  HttpAnswer,
  HttpExchange,
  HttpMethod,
  Platform,
  PrivacyApi,
  PrivacySetting,
  UploadExchange,
} from './auth/platform'
export type { Session, AuthListener } from './auth/session'
export type { Requester, RequestOptions, UploadOptions } from './auth/request'
export type { ConsentDetail } from './auth/consent'
export type { PhoneFlow } from './auth/phone'
export type { UserInfoFlow } from './auth/userinfo'
export type { ProfileFlow } from './auth/profile'
export type { AccountFlow } from './auth/account'
export type { Privacy, PrivacyChoice, PrivacyDialog } from './auth/privacy'
export type { Features } from './auth/features'
export type { ClientErrorCode, ServerErrorCode } from './auth/errors'
export type {
  NeedPrivacyAuthorizationListener,
  PhoneNumberDetail,
  PrivacyResolveOption,
  RealtimePhoneNumberEvent,
  UserInfoDetail,
} from './auth/wechat'

// The contract: the answers' schemas and types, the error codes, the reader, the nickname rule,
// the paths.
export * from './contract/answers'
export * from './contract/errors'
export * from './contract/nickname'
export * from './contract/paths'
export { AnswerError, read } from './contract/read'
export type { Infer, JsonType, Schema } from './contract/schema'

// For pages: the Behavior of a page with a consent button, and the Chinese messages.
export { consentPage } from './behaviors/consent-page'
export { subscriptions } from './behaviors/subscriptions'
export * from './utils/messages'
