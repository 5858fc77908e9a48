import type { FastifyRequest } from 'fastify'

/**
 * What a log line keeps of a request and its answer: never a body, a header or a query string,
 * which carry tokens, codes, WeChat's secret and users' data.
 */
export const logSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: request.url.split('?')[0],
    remoteAddress: request.ip,
  }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
}
