/** Where a server that mounts the emulator (the reference server, in development) puts it. */
export const MOUNTED_AT = '/__wechat'

/** WeChat's server APIs the emulator answers, by the names its faults and call counts use. */
export const WECHAT_APIS = [
  'jscode2session',
  'token',
  'stable_token',
  'getuserphonenumber',
  'checksession',
] as const

export type WechatApiName = (typeof WECHAT_APIS)[number]
