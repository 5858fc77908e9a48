import type { Group } from '../kit'
import { accountGroup } from './account'
import { avatarGroup } from './avatar'
import { loginGroup, wechatFaultGroup } from './login'
import { logoutGroup } from './logout'
import { malformedGroup } from './malformed'
import { phoneGroup } from './phone'
import { profileGroup } from './profile'
import { runWideGroup } from './run-wide'
import { tokenGroup } from './token'
import { userInfoGroup } from './userinfo'

/** Every check, in the order they run: the run-wide ones last, over all that came before. */
export const GROUPS: readonly Group[] = [
  loginGroup,
  wechatFaultGroup,
  tokenGroup,
  phoneGroup,
  userInfoGroup,
  profileGroup,
  avatarGroup,
  logoutGroup,
  accountGroup,
  malformedGroup,
  runWideGroup,
]
