/**
 * The avatar and nickname fill-in that replaced getUserProfile: a chosen avatar is a temporary local
 * file, uploaded to our backend; a nickname comes from <input type="nickname"> and is saved by form.
 */
import type { AuthConfig } from './config'
import { AVATAR_ANSWER, USER_ANSWER, type User } from '../contract/answers'
import { NICKNAME_MAX_CODE_POINTS, normalizeNickName } from '../contract/nickname'
import { AuthError } from './errors'
import type { Requester } from './request'
import type { Session } from './session'

/** The backend's own rule, checked here first so the user hears about it without a round trip. */
function checkedNickname(raw: string): string {
  const nickName = normalizeNickName(raw)
  if (nickName === null) {
    throw new AuthError(
      'NICKNAME_INVALID',
      `a nickname is 1 to ${NICKNAME_MAX_CODE_POINTS} characters, without invisible ones`,
    )
  }
  return nickName
}

export class ProfileFlow {
  constructor(
    private readonly session: Session,
    private readonly requester: Requester,
    private readonly config: AuthConfig,
  ) {}

  async uploadAvatar(filePath: string): Promise<User> {
    const { user } = await this.requester.upload({
      path: this.config.endpoints.avatar,
      filePath,
      name: 'avatar',
      answer: AVATAR_ANSWER,
    })
    this.session.setUser(user)
    return user
  }

  async saveNickname(raw: string): Promise<User> {
    const { user } = await this.requester.request({
      path: this.config.endpoints.profile,
      method: 'PUT',
      data: { nickName: checkedNickname(raw) },
      answer: USER_ANSWER,
    })
    this.session.setUser(user)
    return user
  }

  /** The backend's copy of the user, for a page that must not show a stale profile. */
  async refresh(): Promise<User> {
    const { user } = await this.requester.request({
      path: this.config.endpoints.me,
      answer: USER_ANSWER,
    })
    this.session.setUser(user)
    return user
  }
}
