import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { ApiError } from '../http/errors'
import type { Store, UserRecord } from '../store'
import { bearerToken, hashToken } from './tokens'

export interface AuthSession {
  user: UserRecord
  tokenHash: string
}

declare module 'fastify' {
  interface FastifyRequest {
    session: AuthSession | null
  }
}

/** An onRequest hook: the token is checked before the body is even read. */
export function authenticate(store: Store, now: () => number): onRequestHookHandler {
  return async (request) => {
    const token = bearerToken(request.headers.authorization)
    if (token === null) {
      throw new ApiError('UNAUTHORIZED', 'send the login token as Authorization: Bearer <token>')
    }
    const tokenHash = hashToken(token)
    const user = await store.findSessionUser(tokenHash, now())
    if (!user) throw new ApiError('UNAUTHORIZED', 'the token is unknown, expired or logged out')
    request.session = { user, tokenHash }
  }
}

export function sessionOf(request: FastifyRequest): AuthSession {
  if (!request.session)
    throw new Error(
      `${request.routeOptions.url ?? request.method}: a route without the authenticate hook`,
    )
  return request.session
}
