import { randomBytes } from 'node:crypto'
import type { WechatApiName, WechatEmulator } from '../server/src/emulator/emulator'
import { callJson, targetOf } from './http'

// WeChat's side of every check: the emulator's control API (docs/api.md › The WeChat API
// emulator) plays the phone (codes, payloads) and WeChat's faults. Its answers are not the
// backend's and are never recorded; what it says about a user (openid, unionid, session_key) is
// what the kit then looks for in every answer of the backend.

// The control API answers what these methods of the emulator return.
export type EmulatorInfo = ReturnType<WechatEmulator['info']>
export type LoginCode = ReturnType<WechatEmulator['mintLoginCode']>
export type PhonePayload = ReturnType<WechatEmulator['mintPhone']>
export type UserInfoPayload = ReturnType<WechatEmulator['mintUserInfo']>
type HeldUser = NonNullable<ReturnType<WechatEmulator['knownUser']>>

/** The emulator refused or garbled a control call: the run cannot go on as planned. */
export class EmulatorError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EmulatorError'
  }
}

export class Emulator {
  /** Every identifier and key the emulator gave the users of this run. */
  readonly secrets = {
    sessionKeys: new Set<string>(),
    openids: new Set<string>(),
    unionids: new Set<string>(),
  }

  constructor(
    readonly base: URL,
    private readonly timeoutMs: number,
  ) {}

  info(): Promise<EmulatorInfo> {
    return this.control('GET', 'info')
  }

  async stats(): Promise<Record<string, number>> {
    return (await this.control<{ calls: Record<string, number> }>('GET', 'stats')).calls
  }

  /**
   * What wx.login gives the phone: a code, and for the user a new session_key. A new user also
   * gets a unionid, so that the run has one to look for.
   */
  async mintLogin(openid?: string): Promise<LoginCode> {
    const unionid = 'oKit' + randomBytes(18).toString('base64url')
    const minted = await this.control<LoginCode>(
      'POST',
      'login',
      openid === undefined ? { unionid } : { openid },
    )
    await this.sessionKeyOf(minted.openid)
    return minted
  }

  /** The session_key WeChat holds for the user now (what the backend got at its last login). */
  async sessionKeyOf(openid: string): Promise<string> {
    const held = await this.control<HeldUser>('GET', `users/${encodeURIComponent(openid)}`)
    this.secrets.openids.add(held.openid)
    if (held.unionid !== null) this.secrets.unionids.add(held.unionid)
    this.secrets.sessionKeys.add(held.sessionKey)
    return held.sessionKey
  }

  mintPhone(
    openid: string,
    phone: { phoneNumber?: string; countryCode?: string } = {},
  ): Promise<PhonePayload> {
    return this.control('POST', 'phone', { openid, ...phone })
  }

  mintUserInfo(
    openid: string,
    profile: { nickName?: string; avatarUrl?: string } = {},
  ): Promise<UserInfoPayload> {
    return this.control('POST', 'userinfo', { openid, ...profile })
  }

  /** WeChat answers `errcode` to every call of `api` until clearFaults(). */
  async failEvery(api: WechatApiName, errcode: number): Promise<void> {
    await this.control('POST', 'faults', { api, errcode, times: 1_000_000 })
  }

  async clearFaults(): Promise<void> {
    await this.control('DELETE', 'faults')
  }

  private async control<T>(method: string, route: string, json?: unknown): Promise<T> {
    const answer = await callJson(
      targetOf(this.base, `/control/${route}`),
      method,
      json,
      this.timeoutMs,
    )
    if (answer.status !== 200 || typeof answer.json !== 'object' || answer.json === null) {
      throw new EmulatorError(
        `the emulator answered ${method} /control/${route} with ${answer.status} ${answer.text.slice(0, 200)}`,
      )
    }
    return answer.json as T
  }
}
