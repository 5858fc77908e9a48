import { randomBytes } from 'node:crypto'
import { safeEqual } from '../common/open-data'
import { WECHAT_ERRCODE as E } from '../common/wechat-errcodes'
import { AccessTokens } from './access-tokens'
import type { WechatApiName } from './apis'
import { CodeBook, DEFAULT_CODE_BOOK_LIMITS, type CodeBookLimits } from './code-book'
import type { EmulatorMode } from './config'
import { wechatFailure, type WechatFailure } from './errcodes'

/** Preview mode: who a login code the emulator never minted (a real DevTools code) logs in as. */
export const PREVIEW_OPENID = 'oPreview00000000000000000000'
/** Preview mode: the number an unknown phone code answers. */
export const PREVIEW_PHONE_NUMBER = '13800138000'

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

export interface EmulatorOptions {
  appid: string
  secret: string
  mode: EmulatorMode
  now: () => number
  limits?: EmulatorLimits
}

export interface EmulatedUser {
  openid: string
  unionid: string | null
  sessionKey: string
}

/** What a login code stands for; the unionid rides along in case the user is forgotten meanwhile. */
export interface LoginGrant {
  openid: string
  unionid: string | null
}

export interface PhoneGrant {
  openid: string
  purePhoneNumber: string
  countryCode: string
}

export interface Fault {
  errcode: number | null
  latencyMs: number
  remaining: number
}

export function newSessionKey(): string {
  return randomBytes(16).toString('base64')
}

export function phoneNumberOf(grant: PhoneGrant): string {
  return grant.countryCode === '86'
    ? grant.purePhoneNumber
    : `+${grant.countryCode}${grant.purePhoneNumber}`
}

export function noCalls(): Record<WechatApiName, number> {
  return { jscode2session: 0, token: 0, stable_token: 0, getuserphonenumber: 0, checksession: 0 }
}

/**
 * What WeChat holds, in memory: its users and their session_keys, the codes it issued, its access
 * tokens, and the faults tests inject. Both faces of the emulator work on it: WeChat's API (what a
 * backend calls) and the control API (what plays the phone and the test).
 */
export class WechatWorld {
  readonly users = new Map<string, EmulatedUser>()
  readonly loginCodes: CodeBook<LoginGrant>
  readonly phoneCodes: CodeBook<PhoneGrant>
  readonly accessTokens: AccessTokens
  readonly faults = new Map<WechatApiName, Fault[]>()
  readonly limits: EmulatorLimits
  calls = noCalls()

  constructor(readonly options: EmulatorOptions) {
    this.limits = options.limits ?? DEFAULT_EMULATOR_LIMITS
    this.loginCodes = new CodeBook(CODE_TTL_MS, options.now, this.limits.codes)
    this.phoneCodes = new CodeBook(CODE_TTL_MS, options.now, this.limits.codes)
    this.accessTokens = new AccessTokens(options.now, this.limits.maxAccessTokens)
  }

  /**
   * WeChat knows every user, even one this in-memory emulator has not met since it started
   * (after a server restart, say): such a user gets a key the server does not hold, as after a
   * login elsewhere.
   */
  user(openid: string): EmulatedUser {
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

  watermark(): { timestamp: number; appid: string } {
    return { timestamp: Math.floor(this.options.now() / 1000), appid: this.options.appid }
  }

  checkCredentials(appid: unknown, secret: unknown): WechatFailure | null {
    if (typeof appid !== 'string' || appid === '') return wechatFailure(E.APPID_MISSING)
    if (typeof secret !== 'string' || secret === '') return wechatFailure(E.APPSECRET_MISSING)
    if (appid !== this.options.appid) return wechatFailure(E.INVALID_APPID)
    if (!safeEqual(secret, this.options.secret)) return wechatFailure(E.INVALID_APPSECRET)
    return null
  }

  checkAccessToken(token: unknown): WechatFailure | null {
    if (typeof token !== 'string' || token === '') return wechatFailure(E.ACCESS_TOKEN_MISSING)
    const refused = this.accessTokens.check(token)
    return refused === null ? null : wechatFailure(refused)
  }
}
