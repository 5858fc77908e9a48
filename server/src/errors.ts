import { STATUS_CODES as HTTP_REASONS } from 'node:http'
import type { Socket } from 'node:net'
import { isNativeError } from 'node:util/types'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ERROR_STATUS, type ErrorCode } from '../../miniprogram/contract'
import { StoreUnavailableError } from './store'

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

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
}

export function isFastifyError(error: unknown): error is FastifyError {
  // Node's own errors (a body aborted by a timeout) come from another realm under a test
  // runner's sandbox, where instanceof fails; Fastify's are not native errors.
  const isError = error instanceof Error || isNativeError(error)
  return isError && typeof (error as Partial<FastifyError>).statusCode === 'number'
}

export function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0]
  if (first?.keyword === 'additionalProperties') {
    const field = String(first.params.additionalProperty)
    return `${error.validationContext ?? 'body'} has an unknown field '${field}'`
  }
  return error.message
}

/** Maps anything thrown while handling a request to the one error shape; `null` means a bug. */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error
  // The store logs an outage once; each request only says so to its client.
  if (error instanceof StoreUnavailableError) {
    return new ApiError('STORE_UNAVAILABLE', 'the database cannot be reached; retry later')
  }
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

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
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

/** An answer written straight to the socket, where Fastify has no reply to give. */
export interface SocketAnswer {
  status: number
  body: object
}

/** What Node's HTTP layer refused, before any route saw the request. */
export interface ClientProblem {
  /** The request or its headers did not arrive in time: sent again, it may well get through. */
  timeout: boolean
  message: string
}

function describeClientError(code: string | undefined): ClientProblem {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        timeout: true,
        message: 'the request did not arrive in time: the server cuts off slow clients',
      }
    case 'HPE_HEADER_OVERFLOW':
      return { timeout: false, message: 'the request headers are over the size limit' }
    default:
      return { timeout: false, message: 'the request is not valid HTTP/1.1' }
  }
}

/**
 * What Node rejects before Fastify sees a request (a broken request line, headers over the size
 * limit, a request not sent in time): Fastify's default answers another JSON shape, which clients
 * cannot read. `answer` words the refusal in the shape of whoever listens on the socket.
 */
export function answerClientErrors(
  answer: (problem: ClientProblem) => SocketAnswer,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    // An answer already begun (an early 413, say) cannot take a second one.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })
      ._httpMessage
    if (socket.writable && !inFlight?.headersSent) {
      const { status, body } = answer(describeClientError(error.code))
      const text = JSON.stringify(body)
      socket.write(
        `HTTP/1.1 ${status} ${HTTP_REASONS[status] ?? ''}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(text)}\r\n` +
          'Connection: close\r\n\r\n' +
          text,
      )
    }
    socket.destroy(error)
  }
}

export const clientErrorHandler = answerClientErrors(({ timeout, message }) => {
  const apiError = new ApiError(timeout ? 'REQUEST_TIMEOUT' : 'INVALID_REQUEST', message)
  return { status: apiError.status, body: errorBody(apiError) }
})
