// The emulator's public door: what the server (which mounts it in development), the conformance
// kit, the preview, the bench and the tests may use. Everything else is internal.
export {
  EMULATOR_APPID,
  EMULATOR_PORT,
  EMULATOR_SECRET,
  loadEmulatorConfig,
  type EmulatorConfig,
  type EmulatorMode,
} from './config'
export { WechatEmulator } from './emulator'
export { emulatorPlugin } from './plugin'
export { frameworkErrorsUnder } from './http'
export { startEmulator, type RunningEmulator, type StartEmulatorOptions } from './server'
export {
  DEFAULT_EMULATOR_LIMITS,
  PREVIEW_OPENID,
  PREVIEW_PHONE_NUMBER,
  type EmulatedUser,
  type EmulatorLimits,
  type EmulatorOptions,
} from './world'
export { ANONYMOUS_AVATAR_URL } from './control-api/actions'
export * from './client'
