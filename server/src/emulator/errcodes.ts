import { randomBytes } from 'node:crypto'

// WeChat's errcodes and the errmsg it sends with each (the global return-code table), for every
// answer the emulator gives: its API's, its HTTP layer's and its control API's.
const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40066: 'invalid url',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  44002: 'empty post data',
  45002: 'content size out of limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  87008: 'invalid sig_method',
  87009: 'invalid signature',
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
  const message = ERRMSG[errcode] ?? 'emulated error'
  return { errcode, errmsg: `${detail ? `${message}: ${detail}` : message}, rid: ${rid()}` }
}

/** Thrown where an answer cannot be returned (a body parser, a hook): the handler words it. */
export class WechatError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(detail ?? ERRMSG[errcode] ?? `errcode ${errcode}`)
    this.name = 'WechatError'
  }
}
