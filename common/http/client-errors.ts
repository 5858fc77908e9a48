import { STATUS_CODES as HTTP_REASONS } from 'node:http'
import type { Socket } from 'node:net'
import { isNativeError } from 'node:util/types'
import type { FastifyError } from 'fastify'

// What every HTTP server here (the server, the emulator) needs to word the errors Fastify and Node
// raise in its own shape: the server's `{"error"}` or WeChat's `{"errcode","errmsg"}`.

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
          'X-Content-Type-Options: nosniff\r\n' +
          `Content-Length: ${Buffer.byteLength(text)}\r\n` +
          'Connection: close\r\n\r\n' +
          text,
      )
    }
    socket.destroy(error)
  }
}
