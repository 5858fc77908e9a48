import { randomBytes } from 'node:crypto'

import { WECHAT_ERRMSG } from '../common/wechat-errcodes'

/** WeChat's words for an errcode; a fault a test injects may name any. */
function errmsgOf(errcode: number): string | undefined {
  return (WECHAT_ERRMSG as Record<number, string | undefined>)[errcode]
}

export interface WechatFailure {
  errcode: number
  errmsg: string
}

/** WeChat's request id, as its errmsg ends: `rid: 6621a3f0-1b2c3d4e-5f6a7b8c`. */
function rid(): string {
  return randomBytes(12)
    .toString('hex')
    .replace(/^(.{8})(.{8})/, '$1-$2-')
}

/** An error answer as WeChat words it; `detail` says more where WeChat's words alone would not. */
export function wechatFailure(errcode: number, detail?: string): WechatFailure {
  const message = errmsgOf(errcode) ?? 'emulated error'
  return { errcode, errmsg: `${detail ? `${message}: ${detail}` : message}, rid: ${rid()}` }
}

/** Thrown where an answer cannot be returned (a body parser, a hook): the handler words it. */
export class WechatError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(detail ?? errmsgOf(errcode) ?? `errcode ${errcode}`)
    this.name = 'WechatError'
  }
}
