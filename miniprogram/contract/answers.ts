/**
 * What the backend answers, as JSON Schema: the server serializes its answers through these, the
 * mini-program checks every answer against them before it keeps or shows anything, and
 * docs/openapi.yaml is generated from them. Fields an answer does not name are dropped on both
 * sides, so an identifier a broken backend leaks never reaches the page or storage.
 */
import type { Infer, Schema } from './schema'

const NULLABLE_TEXT = { type: ['string', 'null'] } as const

export const USER = {
  type: 'object',
  description: 'The user as clients see it: never the openid, the unionid or the session_key.',
  properties: {
    id: { type: 'string', minLength: 1, description: "the app's own id, never the openid" },
    nickName: NULLABLE_TEXT,
    avatarUrl: { ...NULLABLE_TEXT, description: 'an absolute URL' },
    phoneNumber: { ...NULLABLE_TEXT, description: 'with the area code outside mainland China' },
  },
  required: ['id', 'nickName', 'avatarUrl', 'phoneNumber'],
  additionalProperties: false,
} as const satisfies Schema

export const LOGIN_ANSWER = {
  type: 'object',
  properties: {
    token: { type: 'string', minLength: 1, description: 'opaque: send it back as a Bearer token' },
    expiresIn: { type: 'integer', minimum: 1, description: 'seconds' },
    user: USER,
  },
  required: ['token', 'expiresIn', 'user'],
  additionalProperties: false,
} as const satisfies Schema

export const PHONE_NUMBER = {
  type: 'object',
  properties: {
    phoneNumber: { type: 'string', minLength: 1 },
    purePhoneNumber: { type: 'string', minLength: 1 },
    countryCode: { type: 'string', minLength: 1 },
  },
  required: ['phoneNumber', 'purePhoneNumber', 'countryCode'],
  additionalProperties: false,
} as const satisfies Schema

/** WeChat's decrypted user info, without its watermark, openId and unionId. */
export const USER_INFO = {
  type: 'object',
  properties: {
    nickName: { type: 'string' },
    avatarUrl: { type: 'string' },
    gender: { type: 'integer' },
    country: { type: 'string' },
    province: { type: 'string' },
    city: { type: 'string' },
    language: { type: 'string' },
  },
  required: ['nickName', 'avatarUrl'],
  additionalProperties: false,
} as const satisfies Schema

export const USER_INFO_ANSWER = {
  type: 'object',
  properties: { userInfo: USER_INFO, user: USER },
  required: ['userInfo', 'user'],
  additionalProperties: false,
} as const satisfies Schema

export const USER_ANSWER = {
  type: 'object',
  properties: { user: USER },
  required: ['user'],
  additionalProperties: false,
} as const satisfies Schema

export const AVATAR_ANSWER = {
  type: 'object',
  properties: { avatarUrl: { type: 'string', minLength: 1 }, user: USER },
  required: ['avatarUrl', 'user'],
  additionalProperties: false,
} as const satisfies Schema

const TIME = { type: 'string', minLength: 1 } as const

/**
 * GET /api/me/export: everything the backend holds about the user, for them to keep (PIPL's right
 * to see and copy it): the user with the full number, their own unionid, ISO 8601 times in UTC
 * (lastLoginAt and sessions.since null where the backend cannot know). Never the session_key.
 * docs/api.md says the rest; no descriptions here, which the mini-program would carry for nothing.
 */
export const ACCOUNT_EXPORT = {
  type: 'object',
  properties: {
    user: USER,
    unionid: NULLABLE_TEXT,
    createdAt: TIME,
    lastLoginAt: NULLABLE_TEXT,
    sessions: {
      type: 'object',
      properties: { open: { type: 'integer', minimum: 0 }, since: NULLABLE_TEXT },
      required: ['open', 'since'],
      additionalProperties: false,
    },
    exportedAt: TIME,
  },
  required: ['user', 'unionid', 'createdAt', 'lastLoginAt', 'sessions', 'exportedAt'],
  additionalProperties: false,
} as const satisfies Schema

export type User = Infer<typeof USER>
export type LoginAnswer = Infer<typeof LOGIN_ANSWER>
export type PhoneNumber = Infer<typeof PHONE_NUMBER>
export type UserInfo = Infer<typeof USER_INFO>
export type UserInfoAnswer = Infer<typeof USER_INFO_ANSWER>
export type UserAnswer = Infer<typeof USER_ANSWER>
export type AvatarAnswer = Infer<typeof AVATAR_ANSWER>
export type AccountExport = Infer<typeof ACCOUNT_EXPORT>
