import type { Schema } from './schema'

/**
 * Every error code of the contract, each with its one HTTP status (docs/api.md's table, and
 * docs/openapi.yaml's answers per route). The server answers with these; the mini-program acts on
 * them; the conformance kit checks them.
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  WECHAT_CODE_INVALID: 400,
  SIGNATURE_INVALID: 400,
  WATERMARK_INVALID: 400,
  NICKNAME_INVALID: 400,
  UNAUTHORIZED: 401,
  WECHAT_RISK_BLOCKED: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  SESSION_KEY_STALE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  EXPECTATION_FAILED: 417,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  WECHAT_ERROR: 502,
  WECHAT_BAD_ANSWER: 502,
  WECHAT_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  NOT_READY: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/**
 * Every error answer, whatever the route: clients act on `code`, `message` is for developers. The
 * server's answers narrow `code` per route and status (docs/openapi.yaml).
 */
export const ERROR_ANSWER = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string', minLength: 1 }, message: { type: 'string' } },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
} as const satisfies Schema
