// The emulator's second door, safe in a browser (fetch only, no Node): its control API's one
// client and the types of what it answers. The browser preview imports this, not index.ts.
export { controlClient, ControlError, type ControlClient, type Fetch } from './control-api/client'
export { CONTROL_PREFIX } from './control-api/schema'
export type * from './control-api/schema'
export { MOUNTED_AT, WECHAT_APIS, type WechatApiName } from './apis'
