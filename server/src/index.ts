// What other code (the end-to-end suite, the benchmark) may use; everything else is internal.
export { startServer, type RunningServer, type StartServerOptions } from './server'
export { buildApp, EMULATOR_PREFIX, type AppOptions, type LogDestination } from './app'
export {
  loadConfig,
  ConfigError,
  EMULATOR_APPID,
  EMULATOR_SECRET,
  type Config,
  type EmulatorMode,
} from './config'
export type { ErrorBody, ErrorCode } from './errors'
export type { RequestTimeouts } from './http-limits'
export type { User } from './user'
export type { PhoneNumber } from './phone'
export type { WechatApi, WechatSession, WechatHttpOptions } from './wechat/client'
export {
  WechatEmulator,
  WECHAT_APIS,
  PREVIEW_OPENID,
  PREVIEW_PHONE_NUMBER,
  ANONYMOUS_AVATAR_URL,
  type WechatApiName,
} from './emulator/emulator'
export { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './emulator/server'
export { ANONYMOUS_NICKNAME } from '../../miniprogram/contract'
