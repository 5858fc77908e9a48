/**
 * The seed's getUserInfo button. Since 2022 WeChat answers an anonymous 微信用户 with a grey avatar
 * (identity still comes from the login code), so the answer says whether the user should fill in a
 * real nickname and avatar instead.
 */
import { ConsentFlow, type ConsentPayload } from './consent'
import type { User } from './session'

export interface UserInfo {
  nickName: string
  avatarUrl: string
  gender?: number
  country?: string
  province?: string
  city?: string
  language?: string
}

export interface UserInfoResult {
  userInfo: UserInfo
  user: User
  /** WeChat's placeholder profile: ask for the avatar and nickname fill-in instead of showing it. */
  anonymous: boolean
}

const ANONYMOUS_NICKNAME = '微信用户'

export class UserInfoFlow extends ConsentFlow<
  WechatMiniprogram.UserInfoDetail,
  { userInfo: UserInfo; user: User },
  UserInfoResult
> {
  protected path(): string {
    return this.config.endpoints.userInfo
  }

  /** All of it is sealed or signed with the session_key: nothing may be sent again after a login. */
  protected payloadOf(detail: WechatMiniprogram.UserInfoDetail): ConsentPayload | null {
    const { encryptedData, iv, rawData, signature } = detail
    if (!encryptedData || !iv) return null
    // The signature is checked only as a pair: rawData alone proves nothing.
    const data: Record<string, string> =
      rawData && signature ? { encryptedData, iv, rawData, signature } : { encryptedData, iv }
    return { data, keyFree: null }
  }

  protected accept(answer: { userInfo: UserInfo; user: User }): UserInfoResult {
    this.session.setUser(answer.user)
    return { ...answer, anonymous: answer.userInfo.nickName === ANONYMOUS_NICKNAME }
  }
}
