import { ControlActions } from './control-api/actions'
import { WechatApiAnswers } from './wechat-api/answers'
import { WechatWorld, type EmulatorOptions } from './world'

/**
 * WeChat's server API, in memory, with its two faces on one world: `api`, what WeChat answers a
 * backend; `control`, what plays the phone and the test.
 */
export class WechatEmulator {
  readonly api: WechatApiAnswers
  readonly control: ControlActions

  constructor(options: EmulatorOptions) {
    const world = new WechatWorld(options)
    this.api = new WechatApiAnswers(world)
    this.control = new ControlActions(world)
  }
}
