// The facts of the contract the kit checks answers against, from the contract module itself
// (miniprogram/contract): nothing else in the kit names a path, a code, a status, a field or a
// limit.
import {
  ACCOUNT_EXPORT,
  API_PATHS,
  AVATAR_ANSWER,
  ERROR_STATUS,
  LOGIN_ANSWER,
  PHONE_NUMBER,
  USER,
  USER_ANSWER,
  USER_INFO_ANSWER,
  type ErrorCode,
  type Schema,
} from '../miniprogram/contract'

export { ACCOUNT_EXPORT, API_PATHS, ERROR_STATUS, USER, type ErrorCode }
export { AnswerError, read } from '../miniprogram/contract/read'
export type { PhoneNumber, User } from '../miniprogram/contract'
export {
  AVATAR_MAX_BYTES,
  CODE_MAX_LENGTH,
  NICKNAME_MAX_CODE_POINTS,
  normalizeNickName,
} from '../miniprogram/contract'

/** An answer's own fields, as its schema names them. */
function fieldsOf<S extends Schema>(schema: S): readonly (keyof S['properties'] & string)[] {
  return Object.keys(schema.properties ?? {}) as (keyof S['properties'] & string)[]
}

export const USER_FIELDS = fieldsOf(USER)
export const PHONE_FIELDS = fieldsOf(PHONE_NUMBER)
export const LOGIN_FIELDS = fieldsOf(LOGIN_ANSWER)
export const ME_FIELDS = fieldsOf(USER_ANSWER)
export const USERINFO_FIELDS = fieldsOf(USER_INFO_ANSWER)
export const AVATAR_FIELDS = fieldsOf(AVATAR_ANSWER)
export const EXPORT_FIELDS = fieldsOf(ACCOUNT_EXPORT)

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}
