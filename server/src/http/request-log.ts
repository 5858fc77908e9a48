import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { compile as compileTrust } from '@fastify/proxy-addr'
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import type { Config } from '../config/config'

// nginx's $request_id is 32 hex digits; a UUID is 36 characters. Nothing that could break a line.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
/** The label pino lines carry the request id under (Fastify's own). */
const LABEL = 'reqId'

/**
 * Each request's id: the X-Request-Id of a proxy the server trusts (nginx's $request_id, so its
 * access log and these lines match), else a random UUID, unique across instances and restarts.
 */
export function requestIds(trustProxy: Config['trustProxy']): (request: IncomingMessage) => string {
  const trusted =
    typeof trustProxy === 'number' ? () => trustProxy > 0 : compileTrust([...trustProxy])
  return (request) => {
    const sent = request.headers['x-request-id']
    const fromProxy =
      typeof sent === 'string' &&
      REQUEST_ID.test(sent) &&
      trusted(request.socket.remoteAddress ?? '', 0)
    return fromProxy ? sent : randomUUID()
  }
}

const currentRequest = new AsyncLocalStorage<string>()

/**
 * pino's mixin: a line written while a request is handled carries its id, whichever logger wrote
 * it (the WeChat client's, the store's), unless that logger carries it already.
 */
export function withRequestId(
  _fields: object,
  _level: number,
  logger: { bindings(): Record<string, unknown> },
): Record<string, string> {
  const id = currentRequest.getStore()
  return id === undefined || LABEL in logger.bindings() ? {} : { [LABEL]: id }
}

/** Every answer says its request's id, and what runs for the request knows it (withRequestId). */
export function carryRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id)
    currentRequest.run(request.id, done)
  })
}

/**
 * One line per request, when it is answered (method, path, status, time); the line as it
 * arrives only at debug. LOG_LEVEL=warn leaves only what goes wrong.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime }
    if (error) reply.log.error({ ...fields, err: error }, 'request errored')
    else reply.log.info(fields, 'request completed')
  }
}
