import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  answerClientErrors,
  describeValidation,
  isFastifyError,
} from '../../../common/http/client-errors'
import { OpenDataError } from '../../../common/open-data'
import { ERROR_STATUS, type ErrorCode } from '../../../miniprogram/contract'
import { StoreUnavailableError, UserGoneError } from '../store'

export type { ErrorCode }

export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

/** An error a caller can act on: `code` says what happened, `message` is for developers. */
export class ApiError extends Error {
  readonly status: number

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = ERROR_STATUS[code]
  }
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  // Only /avatars/:file has a parameter, and no file has a name that long.
  FST_ERR_MAX_PARAM_LENGTH: 'NOT_FOUND',
}

/**
 * Every way a sealed payload fails to open (its base64, its lengths, its padding, a plaintext that
 * is not a JSON object, another app's watermark, fields missing) gets this answer, word for word
 * (docs/api.md, SESSION_KEY_STALE). Answers that told them apart would tell an attacker, one
 * request at a time, whether a ciphertext of their making decrypts to valid padding under their
 * own session_key: a padding oracle, enough to seal any plaintext, a phone number of their
 * choosing among them. The reason goes to the log (routes/auth.ts).
 */
export function unopenedPayload(): ApiError {
  return new ApiError(
    'SESSION_KEY_STALE',
    'the payload could not be opened with the session_key the server holds: log in again, ' +
      'then ask the user to tap again',
  )
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  417: 'EXPECTATION_FAILED',
  429: 'RATE_LIMITED',
}

/** Maps anything thrown while handling a request to the one error shape; `null` means a bug. */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error
  // The store logs an outage once; each request only says so to its client.
  if (error instanceof StoreUnavailableError) {
    return new ApiError('STORE_UNAVAILABLE', 'the database cannot be reached; retry later')
  }
  // Deleted between its token check and its work: the token died with the account.
  if (error instanceof UserGoneError) {
    return new ApiError('UNAUTHORIZED', 'the account was deleted; the token no longer works')
  }
  if (error instanceof OpenDataError) return unopenedPayload()
  if (!isFastifyError(error)) return null
  if (error.validation) return new ApiError('INVALID_REQUEST', describeValidation(error))
  const code = FASTIFY_CODES[error.code] ?? STATUS_CODES[error.statusCode ?? 0]
  if (code) return new ApiError(code, error.message)
  const status = error.statusCode ?? 500
  return status >= 400 && status < 500 ? new ApiError('INVALID_REQUEST', error.message) : null
}

function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message } }
}

/** The largest refused body still read to its end, so that its answer arrives (below). */
const DRAINED_BODY_MAX = 8 * 1024 * 1024

/**
 * Fastify closes the connection after a JSON body over the limit, which it refuses on its
 * Content-Length before reading it. The client is then still sending: the close resets the
 * connection, and the reset can discard the answer before the client reads it. A body of a known
 * length up to DRAINED_BODY_MAX is read to its end instead (Node discards it, within the request
 * timeout), the connection kept: the answer always arrives.
 */
function drainRefusedBody(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (!isFastifyError(error) || error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') return
  const length = Number(request.headers['content-length'])
  if (Number.isInteger(length) && length <= DRAINED_BODY_MAX) reply.removeHeader('connection')
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  drainRefusedBody(error, request, reply)
  let apiError = toApiError(error)
  if (!apiError) {
    // The serializers keep bodies and headers out of this line.
    request.log.error({ err: error }, 'unexpected error')
    apiError = new ApiError('INTERNAL_ERROR', 'internal error')
  }
  void reply.status(apiError.status).send(errorBody(apiError))
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0]
  void reply
    .status(404)
    .send(errorBody(new ApiError('NOT_FOUND', `no route ${request.method} ${path}`)))
}

export const clientErrorHandler = answerClientErrors(({ timeout, message }) => {
  const apiError = new ApiError(timeout ? 'REQUEST_TIMEOUT' : 'INVALID_REQUEST', message)
  return { status: apiError.status, body: errorBody(apiError) }
})
