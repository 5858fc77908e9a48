import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { OpenDataError } from '../../../common/open-data'
import { ApiError } from '../http/errors'
import type { Metrics } from './metrics'

export const METRICS_PATH = '/metrics'

/** Each answered request, timed by route pattern (never the raw URL: one series per route). */
export function recordRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
  })
  app.addHook('onError', async (_request, _reply, error) => {
    if (error instanceof OpenDataError) metrics.decryptionFailed(error.reason)
  })
}

/** Whether `authorization` carries `token` as a Bearer token, compared in constant time. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`))
}

/**
 * GET /metrics on the public listener, for METRICS_TOKEN without METRICS_PORT: only with the
 * token, and left out of the contract (docs/openapi.yaml), which is the mini-program's.
 */
export function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  app.get(METRICS_PATH, { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, token)) {
      throw new ApiError('UNAUTHORIZED', 'send the metrics token as Authorization: Bearer <token>')
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

/** METRICS_PORT: a listener of its own that serves GET /metrics and nothing else. */
export function metricsServer(metrics: Metrics, token: string | null): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n')
    } else if (token !== null && !bearerMatches(request.headers.authorization, token)) {
      response.writeHead(401, { 'content-type': 'text/plain' }).end('send the metrics token\n')
    } else {
      metrics.registry.metrics().then(
        (text) =>
          response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      )
    }
  })
}
