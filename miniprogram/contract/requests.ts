/**
 * What the backend takes, as JSON Schema: the server validates request bodies with these (an
 * unknown field is a 400, not a typo passed over), and docs/openapi.yaml is generated from them.
 * The mini-program builds its bodies from WeChat's events.
 */
import { NICKNAME_MAX_CODE_POINTS } from './nickname'

/** Login and phone codes: WeChat's are 32 characters today. */
export const CODE_MAX_LENGTH = 128
/** The avatar upload: PNG, JPEG or WebP, judged by content. */
export const AVATAR_MAX_BYTES = 1024 * 1024

const CODE = { type: 'string', minLength: 1, maxLength: CODE_MAX_LENGTH } as const
// Lengths only: what else is wrong with a value (its base64, its key) the server explains itself.
const ENCRYPTED_DATA = {
  type: 'string',
  maxLength: 8192,
  description: 'base64, untouched',
} as const
const IV = { type: 'string', maxLength: 64, description: 'base64, untouched' } as const

export const LOGIN_BODY = {
  type: 'object',
  properties: { code: { ...CODE, description: 'the code of wx.login' } },
  required: ['code'],
  additionalProperties: false,
} as const

export const PHONE_BODY = {
  type: 'object',
  description:
    'What the getphonenumber event carried: the code (redeemed with WeChat), or else encryptedData ' +
    "and iv (decrypted with the user's session_key).",
  properties: { code: CODE, encryptedData: ENCRYPTED_DATA, iv: IV },
  anyOf: [{ required: ['code'] }, { required: ['encryptedData', 'iv'] }],
  dependentRequired: { encryptedData: ['iv'], iv: ['encryptedData'] },
  additionalProperties: false,
} as const

export const USER_INFO_BODY = {
  type: 'object',
  description:
    'The getuserinfo event, as WeChat hands it over: the signature of rawData is checked before ' +
    'anything is decrypted.',
  properties: {
    encryptedData: ENCRYPTED_DATA,
    iv: IV,
    rawData: { type: 'string', minLength: 1, maxLength: 4096 },
    signature: { type: 'string', minLength: 1, maxLength: 64 },
  },
  required: ['encryptedData', 'iv', 'rawData', 'signature'],
  additionalProperties: false,
} as const

export const PROFILE_BODY = {
  type: 'object',
  properties: {
    // No maxLength: an overlong nickname is 400 NICKNAME_INVALID, and the body limit bounds it.
    nickName: {
      type: 'string',
      description:
        `Trimmed by the server, then 1 to ${NICKNAME_MAX_CODE_POINTS} code points, without ` +
        'control characters, zero-width or bidirectional marks, characters that render as ' +
        'nothing (Hangul fillers, the soft hyphen, tag characters outside a flag, ' +
        'noncharacters…) or lone surrogates, and not only joiners or variation selectors ' +
        '(else 400 NICKNAME_INVALID).',
    },
  },
  required: ['nickName'],
  additionalProperties: false,
} as const

export const EMPTY_BODY = {
  type: 'object',
  properties: {},
  additionalProperties: false,
} as const

/** multipart/form-data, what wx.uploadFile({ name: 'avatar' }) sends. */
export const AVATAR_UPLOAD = {
  type: 'object',
  properties: {
    avatar: {
      type: 'string',
      contentMediaType: 'application/octet-stream',
      description: `PNG, JPEG or WebP by its content (not its name), at most ${AVATAR_MAX_BYTES} bytes`,
    },
  },
  required: ['avatar'],
} as const
