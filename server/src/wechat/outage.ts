import type { FastifyBaseLogger } from 'fastify'

/**
 * Whether WeChat answers, as this process sees it: one log line when an outage starts (the
 * first call that gave up), one when it ends (the first answer after it), not one per request.
 */
export class WechatOutage {
  private down = false

  constructor(private readonly log: FastifyBaseLogger) {}

  /** A call gave up: WeChat was busy (-1), failing (5xx) or out of reach, or did not answer. */
  failed(api: string, reason: string, attempts: number): void {
    if (this.down) return
    this.down = true
    this.log.warn(
      { api, reason, attempts },
      'WeChat cannot be reached: its calls answer 503 WECHAT_UNAVAILABLE until it answers again',
    )
  }

  /** WeChat answered (an errcode is an answer too). */
  answered(): void {
    if (!this.down) return
    this.down = false
    this.log.info('WeChat answers again')
  }
}
