/**
 * The seed's getUserInfo button. Since 2022 WeChat answers an anonymous 微信用户 with a grey avatar
 * (identity still comes from the login code), so the answer says whether the user should fill in a
 * real nickname and avatar instead.
 */
import type { AuthConfig } from '../config'
import { rejected, submitConsent, type ConsentOutcome } from './consent'
import type { Requester } from './request'
import type { Session, User } from './session'

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

export const ANONYMOUS_NICKNAME = '微信用户'

export class UserInfoFlow {
  constructor(
    private readonly session: Session,
    private readonly requester: Requester,
    private readonly config: AuthConfig,
  ) {}

  /** As for the phone number: the backend decrypts with its session_key, so check it before the tap. */
  prepare(): Promise<void> {
    return this.session.ensureWechatSession()
  }

  submit(detail: WechatMiniprogram.UserInfoDetail): Promise<ConsentOutcome<UserInfoResult>> {
    const rejection = rejected(detail)
    if (rejection) return Promise.resolve(rejection)
    const { encryptedData, iv, rawData, signature } = detail
    if (!encryptedData || !iv) {
      return Promise.resolve({ kind: 'rejected', reason: 'failed', errMsg: 'no encryptedData' })
    }
    const data: Record<string, string> = { encryptedData, iv }
    if (rawData && signature) {
      data.rawData = rawData
      data.signature = signature
    }
    return submitConsent(this.session, async () => {
      const answer = await this.requester.request<{ userInfo: UserInfo; user: User }>({
        path: this.config.endpoints.userInfo,
        method: 'POST',
        data,
        relogin: false,
      })
      this.session.setUser(answer.user)
      return { ...answer, anonymous: answer.userInfo.nickName === ANONYMOUS_NICKNAME }
    })
  }
}
