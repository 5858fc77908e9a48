import { randomBytes } from 'node:crypto'
import { ANONYMOUS_NICKNAME } from '../../miniprogram/contract'
import { encryptOpenData, signRawData } from '../../common/open-data'
import type { EmulatorMode } from '../config'
import type { FaultRequest } from './schema'
import {
  newSessionKey,
  noCalls,
  phoneNumberOf,
  PREVIEW_PHONE_NUMBER,
  type EmulatedUser,
  type PhoneGrant,
  type WechatWorld,
} from '../world'
import type { WechatApiName } from '../apis'

export const ANONYMOUS_AVATAR_URL =
  'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132'

/**
 * The emulator's control face: what the phone does (wx.login, the consent buttons), what happens
 * elsewhere (a login on another device), the faults a test injects, and what a test may inspect.
 */
export class ControlActions {
  constructor(private readonly world: WechatWorld) {}

  /** What wx.login does: a code for the user, and (as WeChat may) a new session_key. */
  mintLoginCode(request: { openid?: string; unionid?: string }): { code: string; openid: string } {
    const openid = request.openid ?? 'o' + randomBytes(21).toString('base64url').slice(0, 27)
    const user = this.world.user(openid)
    if (request.unionid !== undefined) user.unionid = request.unionid
    user.sessionKey = newSessionKey()
    return { code: this.world.loginCodes.issue({ openid, unionid: user.unionid }), openid }
  }

  /** What a getPhoneNumber button tap yields: a phone code, and the legacy encrypted payload. */
  mintPhone(request: { openid: string; phoneNumber?: string; countryCode?: string }): {
    code: string
    encryptedData: string
    iv: string
  } {
    const user = this.world.user(request.openid)
    const grant: PhoneGrant = {
      openid: user.openid,
      purePhoneNumber: request.phoneNumber ?? PREVIEW_PHONE_NUMBER,
      countryCode: request.countryCode ?? '86',
    }
    const code = this.world.phoneCodes.issue(grant, randomBytes(32).toString('hex'))
    // The legacy payload carries countryCode as a string, the code answer as a number.
    const payload = {
      phoneNumber: phoneNumberOf(grant),
      purePhoneNumber: grant.purePhoneNumber,
      countryCode: grant.countryCode,
      watermark: this.world.watermark(),
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
    const user = this.world.user(request.openid)
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
      watermark: this.world.watermark(),
    }
    return {
      ...encryptOpenData(data, user.sessionKey),
      rawData,
      signature: signRawData(rawData, user.sessionKey),
    }
  }

  /** A login on another device: the key the server holds goes stale. */
  rotateSessionKey(openid: string): void {
    this.world.user(openid).sessionKey = newSessionKey()
  }

  addFault(request: FaultRequest): void {
    const queue = this.world.faults.get(request.api) ?? []
    queue.push({
      errcode: request.errcode ?? null,
      latencyMs: request.latencyMs ?? 0,
      remaining: request.times ?? 1,
    })
    this.world.faults.set(request.api, queue)
  }

  /** WeChat answers normally again; codes and counts stay (unlike reset). */
  clearFaults(): void {
    this.world.faults.clear()
  }

  /** Every access token handed out so far, classic or stable, answers 40001 from now on. */
  retireAccessTokens(): void {
    this.world.accessTokens.retireAll()
  }

  /** Forgets faults, codes, access tokens and call counts; users and their keys stay. */
  reset(): void {
    this.world.loginCodes.clear()
    this.world.phoneCodes.clear()
    this.world.accessTokens.clear()
    this.world.faults.clear()
    this.world.calls = noCalls()
  }

  stats(): { calls: Record<WechatApiName, number> } {
    return { calls: { ...this.world.calls } }
  }

  /** How many entries each of its maps holds: for tests that prove memory stays bounded. */
  retained(): { users: number; codes: number; accessTokens: number } {
    return {
      users: this.world.users.size,
      codes: this.world.loginCodes.size + this.world.phoneCodes.size,
      accessTokens: this.world.accessTokens.size,
    }
  }

  /**
   * What WeChat holds for the user now, or undefined for a user it has not met: a read, unlike the
   * mints, so it never creates the user nor gives it a new key.
   */
  knownUser(openid: string): EmulatedUser | undefined {
    const user = this.world.users.get(openid)
    return user && { ...user }
  }

  /** The key WeChat holds for the user now: for tests that prove it never leaks. */
  sessionKeyOf(openid: string): string | undefined {
    return this.knownUser(openid)?.sessionKey
  }

  /** Which app it plays and how it treats codes it never minted. */
  info(): { appid: string; mode: EmulatorMode } {
    return { appid: this.world.options.appid, mode: this.world.options.mode }
  }
}
