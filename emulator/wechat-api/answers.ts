import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { safeEqual } from '../../common/open-data'
import { WECHAT_ERRCODE as E, WECHAT_ERRMSG } from '../../common/wechat-errcodes'
import { wechatFailure, type WechatFailure } from '../errcodes'
import {
  newSessionKey,
  phoneNumberOf,
  PREVIEW_OPENID,
  PREVIEW_PHONE_NUMBER,
  type WechatWorld,
} from '../world'
import type { WechatApiName } from '../apis'

type Params = Record<string, unknown>

/** WeChat's own face: what its server API answers a backend, errors as WeChat words them. */
export class WechatApiAnswers {
  constructor(private readonly world: WechatWorld) {}

  /** Counts the call and plays the next injected fault, if any. */
  async enter(api: WechatApiName): Promise<WechatFailure | null> {
    this.world.calls[api] += 1
    const queue = this.world.faults.get(api)
    const fault = queue?.[0]
    if (!queue || !fault) return null
    fault.remaining -= 1
    if (fault.remaining === 0) queue.shift()
    if (fault.latencyMs > 0) await sleep(fault.latencyMs)
    return fault.errcode === null ? null : wechatFailure(fault.errcode)
  }

  code2Session(params: Params): WechatFailure | Params {
    const refused = this.world.checkCredentials(params.appid, params.secret)
    if (refused) return refused
    if (params.grant_type !== 'authorization_code') return wechatFailure(E.INVALID_GRANT_TYPE)
    const code = params.js_code
    if (typeof code !== 'string' || code === '') return wechatFailure(E.CODE_MISSING)
    let redeemed = this.world.loginCodes.redeem(code)
    if (
      'error' in redeemed &&
      redeemed.error === 'unknown' &&
      this.world.options.mode === 'preview'
    ) {
      const preview = this.world.user(PREVIEW_OPENID)
      preview.sessionKey = newSessionKey()
      const grant = { openid: PREVIEW_OPENID, unionid: preview.unionid }
      redeemed = this.world.loginCodes.redeem(this.world.loginCodes.issue(grant, code))
    }
    if ('error' in redeemed)
      return wechatFailure(redeemed.error === 'used' ? E.CODE_USED : E.INVALID_CODE)
    const user = this.world.user(redeemed.value.openid)
    user.unionid ??= redeemed.value.unionid
    return {
      openid: user.openid,
      session_key: user.sessionKey,
      ...(user.unionid === null ? {} : { unionid: user.unionid }),
    }
  }

  /** GET /cgi-bin/token, the classic call: a new token each time (see AccessTokens). */
  classicToken(params: Params): WechatFailure | Params {
    if (params.grant_type !== 'client_credential') return wechatFailure(E.INVALID_GRANT_TYPE)
    return (
      this.world.checkCredentials(params.appid, params.secret) ?? this.world.accessTokens.classic()
    )
  }

  /** POST /cgi-bin/stable_token: JSON body; isolated from the classic token. */
  stableToken(body: unknown): WechatFailure | Params {
    if (body === undefined) return wechatFailure(E.EMPTY_POST_DATA)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return wechatFailure(E.DATA_FORMAT_ERROR)
    }
    const params = body as Params
    if (params.grant_type !== 'client_credential') return wechatFailure(E.INVALID_GRANT_TYPE)
    const forceRefresh = params.force_refresh === true
    return (
      this.world.checkCredentials(params.appid, params.secret) ??
      this.world.accessTokens.stable(forceRefresh)
    )
  }

  getPhoneNumber(accessToken: unknown, body: unknown): WechatFailure | Params {
    const refused = this.world.checkAccessToken(accessToken)
    if (refused) return refused
    if (body === undefined) return wechatFailure(E.EMPTY_POST_DATA)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return wechatFailure(E.DATA_FORMAT_ERROR)
    }
    const { code, openid } = body as Params
    if (typeof code !== 'string' || code === '') return wechatFailure(E.CODE_MISSING)
    let redeemed = this.world.phoneCodes.redeem(code)
    if (
      'error' in redeemed &&
      redeemed.error === 'unknown' &&
      this.world.options.mode === 'preview'
    ) {
      const grant = {
        openid: typeof openid === 'string' ? openid : PREVIEW_OPENID,
        purePhoneNumber: PREVIEW_PHONE_NUMBER,
        countryCode: '86',
      }
      redeemed = this.world.phoneCodes.redeem(this.world.phoneCodes.issue(grant, code))
    }
    // A used phone code is "invalid" to WeChat, like an unknown one.
    if ('error' in redeemed) return wechatFailure(E.INVALID_CODE)
    const grant = redeemed.value
    // Given an openid, WeChat checks the code was issued to that user.
    if (openid !== undefined && openid !== grant.openid) return wechatFailure(E.INVALID_CODE)
    return {
      errcode: E.OK,
      errmsg: WECHAT_ERRMSG[E.OK],
      phone_info: {
        phoneNumber: phoneNumberOf(grant),
        purePhoneNumber: grant.purePhoneNumber,
        countryCode: Number(grant.countryCode),
        watermark: this.world.watermark(),
      },
    }
  }

  /** checkSessionKey: signature = hmac_sha256 keyed with the session_key string, over "". */
  checkSession(params: Params): WechatFailure {
    const refused = this.world.checkAccessToken(params.access_token)
    if (refused) return refused
    if (params.sig_method !== 'hmac_sha256') return wechatFailure(E.INVALID_SIG_METHOD)
    const user = typeof params.openid === 'string' ? this.world.users.get(params.openid) : undefined
    const expected = user && createHmac('sha256', user.sessionKey).update('').digest('hex')
    if (
      !expected ||
      typeof params.signature !== 'string' ||
      !safeEqual(params.signature, expected)
    ) {
      return wechatFailure(E.INVALID_SIGNATURE)
    }
    return { errcode: E.OK, errmsg: WECHAT_ERRMSG[E.OK] }
  }
}
