/**
 * The control API's requests and answers, as JSON Schema: the routes validate and serialize with
 * them, and the one client (client.ts) is typed from them, so the two cannot drift.
 */
import type { FromSchema } from 'json-schema-to-ts'
import { COUNTRY_CODE, PURE_PHONE_NUMBER, WECHAT_ID } from '../../common/wechat-formats'
import { WECHAT_APIS } from '../apis'

// What WeChat's ids and numbers look like: the emulator mints nothing the server would refuse.
const ID = { type: 'string', pattern: WECHAT_ID.source } as const
const TEXT = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const
const BASE64 = { type: 'string' } as const

/** Where the control API sits under the emulator's base URL. */
export const CONTROL_PREFIX = '/control'

export const CONTROL_PATHS = {
  login: '/login',
  phone: '/phone',
  userinfo: '/userinfo',
  rotateSessionKey: '/rotate-session-key',
  faults: '/faults',
  retireAccessToken: '/retire-access-token',
  reset: '/reset',
  stats: '/stats',
  info: '/info',
  user: '/users/:openid',
} as const

export const LOGIN_REQUEST = {
  type: 'object',
  properties: { openid: ID, unionid: ID },
  additionalProperties: false,
} as const

export const PHONE_REQUEST = {
  type: 'object',
  properties: {
    openid: ID,
    phoneNumber: { type: 'string', pattern: PURE_PHONE_NUMBER.source },
    countryCode: { type: 'string', pattern: COUNTRY_CODE.source },
  },
  required: ['openid'],
  additionalProperties: false,
} as const

export const USER_INFO_REQUEST = {
  type: 'object',
  properties: { openid: ID, nickName: TEXT(64), avatarUrl: TEXT(1024) },
  required: ['openid'],
  additionalProperties: false,
} as const

export const OPENID_REQUEST = {
  type: 'object',
  properties: { openid: ID },
  required: ['openid'],
  additionalProperties: false,
} as const

export const FAULT_REQUEST = {
  type: 'object',
  properties: {
    api: { type: 'string', enum: WECHAT_APIS },
    errcode: { type: 'integer' },
    latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
    times: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
  required: ['api'],
  additionalProperties: false,
} as const

export const NO_REQUEST = { type: 'object', properties: {}, additionalProperties: false } as const

export const LOGIN_CODE = {
  type: 'object',
  properties: { code: { type: 'string' }, openid: { type: 'string' } },
  required: ['code', 'openid'],
  additionalProperties: false,
} as const

export const PHONE_PAYLOAD = {
  type: 'object',
  properties: { code: { type: 'string' }, encryptedData: BASE64, iv: BASE64 },
  required: ['code', 'encryptedData', 'iv'],
  additionalProperties: false,
} as const

export const USER_INFO_PAYLOAD = {
  type: 'object',
  properties: {
    encryptedData: BASE64,
    iv: BASE64,
    rawData: { type: 'string' },
    signature: { type: 'string' },
  },
  required: ['encryptedData', 'iv', 'rawData', 'signature'],
  additionalProperties: false,
} as const

export const DONE = {
  type: 'object',
  properties: { ok: { type: 'boolean', const: true } },
  required: ['ok'],
  additionalProperties: false,
} as const

export const STATS = {
  type: 'object',
  properties: {
    calls: {
      type: 'object',
      properties: Object.fromEntries(WECHAT_APIS.map((api) => [api, { type: 'integer' }])) as {
        [api in (typeof WECHAT_APIS)[number]]: { type: 'integer' }
      },
      required: [...WECHAT_APIS],
      additionalProperties: false,
    },
  },
  required: ['calls'],
  additionalProperties: false,
} as const

export const INFO = {
  type: 'object',
  properties: {
    appid: { type: 'string' },
    mode: { type: 'string', enum: ['strict', 'preview'] },
  },
  required: ['appid', 'mode'],
  additionalProperties: false,
} as const

export const HELD_USER = {
  type: 'object',
  properties: {
    openid: { type: 'string' },
    unionid: { type: ['string', 'null'] },
    sessionKey: { type: 'string' },
  },
  required: ['openid', 'unionid', 'sessionKey'],
  additionalProperties: false,
} as const

export type LoginRequest = FromSchema<typeof LOGIN_REQUEST>
export type PhoneRequest = FromSchema<typeof PHONE_REQUEST>
export type UserInfoRequest = FromSchema<typeof USER_INFO_REQUEST>
export type FaultRequest = FromSchema<typeof FAULT_REQUEST>
export type LoginCode = FromSchema<typeof LOGIN_CODE>
export type PhonePayload = FromSchema<typeof PHONE_PAYLOAD>
export type UserInfoPayload = FromSchema<typeof USER_INFO_PAYLOAD>
export type EmulatorStats = FromSchema<typeof STATS>
export type EmulatorInfo = FromSchema<typeof INFO>
export type HeldUser = FromSchema<typeof HELD_USER>
