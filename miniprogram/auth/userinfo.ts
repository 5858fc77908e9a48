/**
 * The getUserInfo button, the documented flow and still the only way to WeChat's encrypted user
 * info. Since 2022 WeChat answers an anonymous 微信用户 with a grey avatar
 * (identity still comes from the login code), so the answer says whether the user should fill in a
 * real nickname and avatar instead.
 */
import { USER_INFO_ANSWER, type UserInfoAnswer } from '../contract/answers'
import { ANONYMOUS_NICKNAME } from '../contract/nickname'
import { ConsentFlow, type ConsentPayload } from './consent'
import type { UserInfoDetail } from './wechat'

export interface UserInfoResult extends UserInfoAnswer {
  /** WeChat's placeholder profile: ask for the avatar and nickname fill-in instead of showing it. */
  anonymous: boolean
}

export class UserInfoFlow extends ConsentFlow<
  UserInfoDetail,
  typeof USER_INFO_ANSWER,
  UserInfoResult
> {
  protected readonly answer = USER_INFO_ANSWER

  protected path(): string {
    return this.config.endpoints.userInfo
  }

  /**
   * All of it is sealed or signed with the session_key: nothing may be sent again after a login.
   * The backend checks the signature before it decrypts anything, so an event without one (never
   * WeChat's) has nothing to send.
   */
  protected payloadOf(detail: UserInfoDetail): ConsentPayload | null {
    const { encryptedData, iv, rawData, signature } = detail
    if (!encryptedData || !iv || !rawData || !signature) return null
    return { data: { encryptedData, iv, rawData, signature }, keyFree: null }
  }

  protected accept(answer: UserInfoAnswer): UserInfoResult {
    this.session.setUser(answer.user)
    return { ...answer, anonymous: answer.userInfo.nickName === ANONYMOUS_NICKNAME }
  }
}
