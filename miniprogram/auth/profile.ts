/**
 * The avatar and nickname fill-in that replaced getUserProfile: a chosen avatar is a temporary local
 * file, uploaded to our backend; a nickname comes from <input type="nickname"> and is saved by form.
 */
import type { AuthConfig } from '../config'
import { AuthError } from './errors'
import type { Requester } from './request'
import type { Session, User } from './session'

const NICKNAME_MAX = 32

/** The backend's rule, checked here first so the user hears about it without a round trip. */
function normalizeNickname(raw: string): string {
  const nickName = raw.trim()
  const length = Array.from(nickName).length
  // eslint-disable-next-line no-control-regex
  if (length < 1 || length > NICKNAME_MAX || /[\u0000-\u001f\u007f-\u009f]/.test(nickName)) {
    throw new AuthError('NICKNAME_INVALID', `a nickname is 1 to ${NICKNAME_MAX} characters`)
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
    const { user } = await this.requester.upload<{ avatarUrl: string; user: User }>({
      path: this.config.endpoints.avatar,
      filePath,
      name: 'avatar',
    })
    this.session.setUser(user)
    return user
  }

  async saveNickname(raw: string): Promise<User> {
    const { user } = await this.requester.request<{ user: User }>({
      path: this.config.endpoints.profile,
      method: 'PUT',
      data: { nickName: normalizeNickname(raw) },
    })
    this.session.setUser(user)
    return user
  }

  /** The backend's copy of the user, for a page that must not show a stale profile. */
  async refresh(): Promise<User> {
    const { user } = await this.requester.request<{ user: User }>({
      path: this.config.endpoints.me,
    })
    this.session.setUser(user)
    return user
  }
}
