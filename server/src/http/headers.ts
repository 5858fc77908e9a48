import type { FastifyReply, FastifyRequest } from 'fastify'

// What every answer tells browsers and the caches between a client and the server.

/** The answers that carry a token or a user's data: /api/auth/* and /api/me*. */
function personal(url: string): boolean {
  return url.startsWith('/api/')
}

/**
 * No answer is sniffed as something it does not say it is (an avatar as HTML, JSON as a script),
 * and no cache on the way (a proxy, a CDN, a browser's back button) keeps a token or a user.
 */
export async function securityHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('x-content-type-options', 'nosniff')
  if (personal(request.url)) reply.header('cache-control', 'no-store')
}
