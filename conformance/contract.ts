// The facts of docs/api.md the kit checks answers against, taken from the one place each lives
// today. When the contract becomes one shared module (issue 9), these imports are what changes:
// nothing else in the kit names a code, a status, a field or a limit on its own.
import { ERROR_STATUS, type ErrorCode } from '../server/src/errors'
import { NICKNAME_MAX_CODE_POINTS, normalizeNickName } from '../server/src/nickname'
import type { PhoneInfo } from '../server/src/phone'
import { CODE_MAX_LENGTH } from '../server/src/routes/auth'
import { AVATAR_MAX_BYTES } from '../server/src/routes/me'
import type { User } from '../server/src/user'

export { ERROR_STATUS, type ErrorCode, type PhoneInfo, type User }
export { NICKNAME_MAX_CODE_POINTS, normalizeNickName, AVATAR_MAX_BYTES, CODE_MAX_LENGTH }

/** Every key of T, checked by the compiler: a field added to T and not here fails the typecheck. */
function fieldsOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    ...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : never)
  ): K => keys
}

export const USER_FIELDS = fieldsOf<User>()('id', 'nickName', 'avatarUrl', 'phoneNumber')
export const PHONE_FIELDS = fieldsOf<PhoneInfo>()('phoneNumber', 'purePhoneNumber', 'countryCode')

// The answers' own fields, as docs/api.md lists them under each route.
export const LOGIN_FIELDS = ['token', 'expiresIn', 'user'] as const
export const ME_FIELDS = ['user'] as const
export const USERINFO_FIELDS = ['userInfo', 'user'] as const
export const AVATAR_FIELDS = ['avatarUrl', 'user'] as const

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}
