import { randomBytes } from 'node:crypto'
import {
  controlClient,
  ControlError,
  type ControlClient,
  type EmulatorInfo,
  type HeldUser,
  type LoginCode,
  type PhonePayload,
  type UserInfoPayload,
  type WechatApiName,
} from '../emulator'
import { NetworkError } from './http'

export type { EmulatorInfo, LoginCode, PhonePayload, UserInfoPayload }

// WeChat's side of every check: the emulator's control API (docs/api.md › The WeChat API
// emulator) plays the phone (codes, payloads) and WeChat's faults. Its answers are not the
// backend's and are never recorded; what it says about a user (openid, unionid, session_key) is
// what the kit then looks for in every answer of the backend.

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

  private readonly client: ControlClient

  constructor(
    readonly base: URL,
    timeoutMs: number,
  ) {
    this.client = controlClient(base, { timeoutMs })
  }

  info(): Promise<EmulatorInfo> {
    return this.control('GET info', (client) => client.info())
  }

  async stats(): Promise<Record<WechatApiName, number>> {
    return (await this.control('GET stats', (client) => client.stats())).calls
  }

  /**
   * What wx.login gives the phone: a code, and for the user a new session_key. A new user also
   * gets a unionid, so that the run has one to look for.
   */
  async mintLogin(openid?: string): Promise<LoginCode> {
    const unionid = 'oKit' + randomBytes(18).toString('base64url')
    const minted = await this.control('POST login', (client) =>
      client.login(openid === undefined ? { unionid } : { openid }),
    )
    await this.sessionKeyOf(minted.openid)
    return minted
  }

  /** The session_key WeChat holds for the user now (what the backend got at its last login). */
  async sessionKeyOf(openid: string): Promise<string> {
    return (await this.held(openid)).sessionKey
  }

  /** What WeChat holds for the user now: their ids and session_key, each one to look for. */
  async held(openid: string): Promise<HeldUser> {
    const held = await this.control('GET users', (client) => client.user(openid))
    this.secrets.openids.add(held.openid)
    if (held.unionid !== null) this.secrets.unionids.add(held.unionid)
    this.secrets.sessionKeys.add(held.sessionKey)
    return held
  }

  mintPhone(
    openid: string,
    phone: { phoneNumber?: string; countryCode?: string } = {},
  ): Promise<PhonePayload> {
    return this.control('POST phone', (client) => client.phone({ openid, ...phone }))
  }

  mintUserInfo(
    openid: string,
    profile: { nickName?: string; avatarUrl?: string } = {},
  ): Promise<UserInfoPayload> {
    return this.control('POST userinfo', (client) => client.userInfo({ openid, ...profile }))
  }

  /** WeChat answers `errcode` to every call of `api` until clearFaults(). */
  async failEvery(api: WechatApiName, errcode: number): Promise<void> {
    await this.control('POST faults', (client) =>
      client.addFault({ api, errcode, times: 1_000_000 }),
    )
  }

  async clearFaults(): Promise<void> {
    await this.control('DELETE faults', (client) => client.clearFaults())
  }

  /** A refusal is the emulator's to explain; no answer at all is the network's. */
  private async control<T>(call: string, send: (client: ControlClient) => Promise<T>): Promise<T> {
    try {
      return await send(this.client)
    } catch (error) {
      if (error instanceof ControlError) throw new EmulatorError(error.message)
      const cause = (error as { cause?: { code?: unknown } }).cause
      const reason = typeof cause?.code === 'string' ? cause.code : (error as Error).message
      throw new NetworkError(`${call} on the emulator`, reason)
    }
  }
}
