import type { ServerOptions } from 'node:http'
import type { FastifyInstance } from 'fastify'

// What every HTTP server of this project (the server, the standalone emulator) holds its clients
// to, whichever shape it answers in: each one's clientErrorHandler and error handlers word the
// refusals.

/** How long a slow client may take to send a request (Node's limits, per connection). */
export interface RequestTimeouts {
  /** The whole request, body included: a client that drips its body is cut off after this. */
  requestMs: number
  /** The request line and headers. */
  headersMs: number
  /** How often Node looks for requests over these limits: a cut-off comes up to this late. */
  checkIntervalMs: number
}

// A client is cut off 30 to 31 s after it started a request it has not finished sending.
export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  checkIntervalMs: 1_000,
}

/** Fastify's options for those limits, and for `refuseMissingHost` to answer a Host-less request. */
export function httpServerOptions(timeouts: Partial<RequestTimeouts> = {}): {
  requestTimeout: number
  http: ServerOptions
} {
  const { requestMs, headersMs, checkIntervalMs } = { ...DEFAULT_REQUEST_TIMEOUTS, ...timeouts }
  return {
    // Fastify sets requestTimeout on the server after creating it (0, no limit, by default); Node
    // checks it against headersTimeout when creating it, hence both places.
    requestTimeout: requestMs,
    http: {
      requestTimeout: requestMs,
      headersTimeout: headersMs,
      connectionsCheckingInterval: checkIntervalMs,
      // Node answers a Host-less HTTP/1.1 request with a bare 400 of its own: the hook of
      // refuseMissingHost answers it in the server's shape.
      requireHostHeader: false,
    },
  }
}

/** Shaped as Fastify's own client errors (a code, a 4xx statusCode), which every handler words. */
class MissingHostError extends Error {
  readonly code = 'MISSING_HOST'
  readonly statusCode = 400

  constructor() {
    super('the request has no Host header')
    this.name = 'MissingHostError'
  }
}

/**
 * HTTP/1.1 requires a Host (RFC 9112, 3.2); HTTP/1.0 does not, and load balancers' health checks
 * (haproxy's httpchk) still send HTTP/1.0 without one. The error handler of the route asked for
 * answers, so the emulator mounted in the server answers in WeChat's shape.
 */
export function refuseMissingHost(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.headers.host === undefined && request.raw.httpVersion !== '1.0') {
      throw new MissingHostError()
    }
  })
}

/** Shaped as Fastify's own client errors, like MissingHostError. */
class UnmetExpectationError extends Error {
  readonly code = 'EXPECTATION_FAILED'
  readonly statusCode = 417

  constructor(expectation: string) {
    super(`the server cannot meet the request's Expect: ${JSON.stringify(expectation)}`)
    this.name = 'UnmetExpectationError'
  }
}

/**
 * An `Expect` other than 100-continue: Node answers it with a bare 417 of its own unless someone
 * listens. The request goes through Fastify instead, whose hook refuses it before the body is
 * read, in the shape of the path it was sent to (RFC 9110, 10.1.1).
 */
export function refuseUnmetExpectations(app: FastifyInstance): void {
  app.server.on('checkExpectation', (request, response) => {
    app.server.emit('request', request, response)
  })
  app.addHook('onRequest', async (request) => {
    const expectation = request.headers.expect
    if (expectation !== undefined && expectation.toLowerCase() !== '100-continue') {
      throw new UnmetExpectationError(expectation)
    }
  })
}
