import { createHmac, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorMode } from '../config'
import { encryptOpenData, safeEqual, signRawData } from '../crypto'
import { ANONYMOUS_NICKNAME } from '../../../miniprogram/contract'
import { AccessTokens } from './access-tokens'
import { CodeBook, DEFAULT_CODE_BOOK_LIMITS, type CodeBookLimits } from './code-book'
import { wechatFailure, type WechatFailure } from './errcodes'

export const WECHAT_APIS = [
  'jscode2session',
  'token',
  'stable_token',
  'getuserphonenumber',
  'checksession',
] as const
export type WechatApiName = (typeof WECHAT_APIS)[number]

/** Preview mode: who a login code the emulator never minted (a real DevTools code) logs in as. */
export const PREVIEW_OPENID = 'oPreview00000000000000000000'
/** Preview mode: the number an unknown phone code answers. */
export const PREVIEW_PHONE_NUMBER = '13800138000'
export const ANONYMOUS_AVATAR_URL =
  'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132'

const CODE_TTL_MS = 5 * 60_000

/**
 * What the emulator holds in memory, so a long run (a benchmark's 20,000 logins, each a new user)
 * leaves it flat: the users it met most recently, and the latest access tokens.
 */
export interface EmulatorLimits {
  /** Past it the least recently seen user is forgotten, as after a restart of the emulator. */
  maxUsers: number
  /** Past it the oldest tokens are forgotten: 40014 instead of 40001 or 42001, still rejected. */
  maxAccessTokens: number
  codes: CodeBookLimits
}

export const DEFAULT_EMULATOR_LIMITS: EmulatorLimits = {
  maxUsers: 10_000,
  maxAccessTokens: 100,
  codes: DEFAULT_CODE_BOOK_LIMITS,
}

export interface EmulatedUser {
  openid: string
  unionid: string | null
  sessionKey: string
}

/** What a login code stands for; the unionid rides along in case the user is forgotten meanwhile. */
interface LoginGrant {
  openid: string
  unionid: string | null
}

interface PhoneGrant {
  openid: string
  purePhoneNumber: string
  countryCode: string
}

interface Fault {
  errcode: number | null
  latencyMs: number
  remaining: number
}

export interface FaultRequest {
  api: WechatApiName
  errcode?: number
  latencyMs?: number
  times?: number
}

type Params = Record<string, unknown>

export interface EmulatorOptions {
  appid: string
  secret: string
  mode: EmulatorMode
  now: () => number
  limits?: EmulatorLimits
}

function newSessionKey(): string {
  return randomBytes(16).toString('base64')
}

function phoneNumberOf(grant: PhoneGrant): string {
  return grant.countryCode === '86'
    ? grant.purePhoneNumber
    : `+${grant.countryCode}${grant.purePhoneNumber}`
}

function noCalls(): Record<WechatApiName, number> {
  return { jscode2session: 0, token: 0, stable_token: 0, getuserphonenumber: 0, checksession: 0 }
}

/** WeChat's server API, in memory: its users, codes, access tokens, and the faults tests inject. */
export class WechatEmulator {
  private readonly users = new Map<string, EmulatedUser>()
  private readonly loginCodes: CodeBook<LoginGrant>
  private readonly phoneCodes: CodeBook<PhoneGrant>
  private readonly limits: EmulatorLimits
  private readonly accessTokens: AccessTokens
  private readonly faults = new Map<WechatApiName, Fault[]>()
  private calls = noCalls()

  constructor(private readonly options: EmulatorOptions) {
    this.limits = options.limits ?? DEFAULT_EMULATOR_LIMITS
    this.loginCodes = new CodeBook(CODE_TTL_MS, options.now, this.limits.codes)
    this.phoneCodes = new CodeBook(CODE_TTL_MS, options.now, this.limits.codes)
    this.accessTokens = new AccessTokens(options.now, this.limits.maxAccessTokens)
  }

  // The control API.

  /** What wx.login does: a code for the user, and (as WeChat may) a new session_key. */
  mintLoginCode(request: { openid?: string; unionid?: string }): { code: string; openid: string } {
    const openid = request.openid ?? 'o' + randomBytes(21).toString('base64url').slice(0, 27)
    const user = this.user(openid)
    if (request.unionid !== undefined) user.unionid = request.unionid
    user.sessionKey = newSessionKey()
    return { code: this.loginCodes.issue({ openid, unionid: user.unionid }), openid }
  }

  /** What a getPhoneNumber button tap yields: a phone code, and the legacy encrypted payload. */
  mintPhone(request: { openid: string; phoneNumber?: string; countryCode?: string }): {
    code: string
    encryptedData: string
    iv: string
  } {
    const user = this.user(request.openid)
    const grant: PhoneGrant = {
      openid: user.openid,
      purePhoneNumber: request.phoneNumber ?? PREVIEW_PHONE_NUMBER,
      countryCode: request.countryCode ?? '86',
    }
    const code = this.phoneCodes.issue(grant, randomBytes(32).toString('hex'))
    // The legacy payload carries countryCode as a string, the code answer as a number.
    const payload = {
      phoneNumber: phoneNumberOf(grant),
      purePhoneNumber: grant.purePhoneNumber,
      countryCode: grant.countryCode,
      watermark: this.watermark(),
    }
    return { code, ...encryptOpenData(payload, user.sessionKey) }
  }

  /** What a getUserInfo button tap yields; anonymous, as WeChat answers today, unless told. */
  mintUserInfo(request: { openid: string; nickName?: string; avatarUrl?: string }): {
    encryptedData: string
    iv: string
    rawData: string
    signature: string
  } {
    const user = this.user(request.openid)
    const profile = {
      nickName: request.nickName ?? ANONYMOUS_NICKNAME,
      gender: 0,
      language: 'zh_CN',
      city: '',
      province: '',
      country: '',
      avatarUrl: request.avatarUrl ?? ANONYMOUS_AVATAR_URL,
    }
    const rawData = JSON.stringify(profile)
    const data = {
      openId: user.openid,
      ...profile,
      ...(user.unionid === null ? {} : { unionId: user.unionid }),
      watermark: this.watermark(),
    }
    return {
      ...encryptOpenData(data, user.sessionKey),
      rawData,
      signature: signRawData(rawData, user.sessionKey),
    }
  }

  /** A login on another device: the key the server holds goes stale. */
  rotateSessionKey(openid: string): void {
    this.user(openid).sessionKey = newSessionKey()
  }

  addFault(request: FaultRequest): void {
    const queue = this.faults.get(request.api) ?? []
    queue.push({
      errcode: request.errcode ?? null,
      latencyMs: request.latencyMs ?? 0,
      remaining: request.times ?? 1,
    })
    this.faults.set(request.api, queue)
  }

  /** WeChat answers normally again; codes and counts stay (unlike reset). */
  clearFaults(): void {
    this.faults.clear()
  }

  /** Every access token handed out so far, classic or stable, answers 40001 from now on. */
  retireAccessTokens(): void {
    this.accessTokens.retireAll()
  }

  /** Forgets faults, codes, access tokens and call counts; users and their keys stay. */
  reset(): void {
    this.loginCodes.clear()
    this.phoneCodes.clear()
    this.accessTokens.clear()
    this.faults.clear()
    this.calls = noCalls()
  }

  stats(): { calls: Record<WechatApiName, number> } {
    return { calls: { ...this.calls } }
  }

  /** How many entries each of its maps holds: for tests that prove memory stays bounded. */
  retained(): { users: number; codes: number; accessTokens: number } {
    return {
      users: this.users.size,
      codes: this.loginCodes.size + this.phoneCodes.size,
      accessTokens: this.accessTokens.size,
    }
  }

  /**
   * What WeChat holds for the user now, or undefined for a user it has not met: a read, unlike the
   * mints, so it never creates the user nor gives it a new key.
   */
  knownUser(openid: string): EmulatedUser | undefined {
    const user = this.users.get(openid)
    return user && { ...user }
  }

  /** The key WeChat holds for the user now: for tests that prove it never leaks. */
  sessionKeyOf(openid: string): string | undefined {
    return this.knownUser(openid)?.sessionKey
  }

  /** Which app it plays and how it treats codes it never minted. */
  info(): { appid: string; mode: EmulatorMode } {
    return { appid: this.options.appid, mode: this.options.mode }
  }

  // WeChat's own API.

  /** Counts the call and plays the next injected fault, if any. */
  async enter(api: WechatApiName): Promise<WechatFailure | null> {
    this.calls[api] += 1
    const queue = this.faults.get(api)
    const fault = queue?.[0]
    if (!queue || !fault) return null
    fault.remaining -= 1
    if (fault.remaining === 0) queue.shift()
    if (fault.latencyMs > 0) await sleep(fault.latencyMs)
    return fault.errcode === null ? null : wechatFailure(fault.errcode)
  }

  code2Session(params: Params): WechatFailure | Params {
    const refused = this.checkCredentials(params.appid, params.secret)
    if (refused) return refused
    if (params.grant_type !== 'authorization_code') return wechatFailure(40002)
    const code = params.js_code
    if (typeof code !== 'string' || code === '') return wechatFailure(41008)
    let redeemed = this.loginCodes.redeem(code)
    if ('error' in redeemed && redeemed.error === 'unknown' && this.options.mode === 'preview') {
      const preview = this.user(PREVIEW_OPENID)
      preview.sessionKey = newSessionKey()
      const grant = { openid: PREVIEW_OPENID, unionid: preview.unionid }
      redeemed = this.loginCodes.redeem(this.loginCodes.issue(grant, code))
    }
    if ('error' in redeemed) return wechatFailure(redeemed.error === 'used' ? 40163 : 40029)
    const user = this.user(redeemed.value.openid)
    user.unionid ??= redeemed.value.unionid
    return {
      openid: user.openid,
      session_key: user.sessionKey,
      ...(user.unionid === null ? {} : { unionid: user.unionid }),
    }
  }

  /** GET /cgi-bin/token, the classic call: a new token each time (see AccessTokens). */
  classicToken(params: Params): WechatFailure | Params {
    if (params.grant_type !== 'client_credential') return wechatFailure(40002)
    return this.checkCredentials(params.appid, params.secret) ?? this.accessTokens.classic()
  }

  /** POST /cgi-bin/stable_token: JSON body; isolated from the classic token. */
  stableToken(body: unknown): WechatFailure | Params {
    if (body === undefined) return wechatFailure(44002)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return wechatFailure(47001)
    }
    const params = body as Params
    if (params.grant_type !== 'client_credential') return wechatFailure(40002)
    const forceRefresh = params.force_refresh === true
    return (
      this.checkCredentials(params.appid, params.secret) ?? this.accessTokens.stable(forceRefresh)
    )
  }

  getPhoneNumber(accessToken: unknown, body: unknown): WechatFailure | Params {
    const refused = this.checkAccessToken(accessToken)
    if (refused) return refused
    if (body === undefined) return wechatFailure(44002)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return wechatFailure(47001)
    }
    const { code, openid } = body as Params
    if (typeof code !== 'string' || code === '') return wechatFailure(41008)
    let redeemed = this.phoneCodes.redeem(code)
    if ('error' in redeemed && redeemed.error === 'unknown' && this.options.mode === 'preview') {
      const grant = {
        openid: typeof openid === 'string' ? openid : PREVIEW_OPENID,
        purePhoneNumber: PREVIEW_PHONE_NUMBER,
        countryCode: '86',
      }
      redeemed = this.phoneCodes.redeem(this.phoneCodes.issue(grant, code))
    }
    // A used phone code is "invalid" to WeChat, like an unknown one.
    if ('error' in redeemed) return wechatFailure(40029)
    const grant = redeemed.value
    // Given an openid, WeChat checks the code was issued to that user.
    if (openid !== undefined && openid !== grant.openid) return wechatFailure(40029)
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: phoneNumberOf(grant),
        purePhoneNumber: grant.purePhoneNumber,
        countryCode: Number(grant.countryCode),
        watermark: this.watermark(),
      },
    }
  }

  /** checkSessionKey: signature = hmac_sha256 keyed with the session_key string, over "". */
  checkSession(params: Params): WechatFailure {
    const refused = this.checkAccessToken(params.access_token)
    if (refused) return refused
    if (params.sig_method !== 'hmac_sha256') return wechatFailure(87008)
    const user = typeof params.openid === 'string' ? this.users.get(params.openid) : undefined
    const expected = user && createHmac('sha256', user.sessionKey).update('').digest('hex')
    if (
      !expected ||
      typeof params.signature !== 'string' ||
      !safeEqual(params.signature, expected)
    ) {
      return wechatFailure(87009)
    }
    return { errcode: 0, errmsg: 'ok' }
  }

  /**
   * WeChat knows every user, even one this in-memory emulator has not met since it started
   * (after a server restart, say): such a user gets a key the server does not hold, as after a
   * login elsewhere.
   */
  private user(openid: string): EmulatedUser {
    const user = this.users.get(openid) ?? { openid, unionid: null, sessionKey: newSessionKey() }
    // Reinserted at each use, so the Map's front is the least recently seen user.
    this.users.delete(openid)
    this.users.set(openid, user)
    for (const oldest of this.users.keys()) {
      if (this.users.size <= this.limits.maxUsers) break
      this.users.delete(oldest)
    }
    return user
  }

  private watermark(): { timestamp: number; appid: string } {
    return { timestamp: Math.floor(this.options.now() / 1000), appid: this.options.appid }
  }

  private checkCredentials(appid: unknown, secret: unknown): WechatFailure | null {
    if (typeof appid !== 'string' || appid === '') return wechatFailure(41002)
    if (typeof secret !== 'string' || secret === '') return wechatFailure(41004)
    if (appid !== this.options.appid) return wechatFailure(40013)
    if (!safeEqual(secret, this.options.secret)) return wechatFailure(40125)
    return null
  }

  private checkAccessToken(token: unknown): WechatFailure | null {
    if (typeof token !== 'string' || token === '') return wechatFailure(41001)
    const refused = this.accessTokens.check(token)
    return refused === null ? null : wechatFailure(refused)
  }
}
