import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync } from 'fastify'
import { ACCOUNT_EXPORT, API_PATHS, EMPTY_BODY, USER_ANSWER } from '../../../miniprogram/contract'
import { authenticate, sessionOf } from '../sessions/authenticate'
import { toUser } from '../sessions/user'
import { answer, BEARER, BEARER_ERRORS, BODY_ERRORS, errorAnswers } from './answers'
import type { RouteDeps } from './deps'

const TAGS = ['me']
/** What every account route may answer beside its own: the token, the per-address budget. */
const ACCOUNT_ERRORS = [...BEARER_ERRORS, 'RATE_LIMITED'] as const

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The user's rights over what is held about them (PIPL): to take the phone number back, to end
 * every session, to see and copy everything, and to close the account (注销) with its data.
 * Beside /api/me's routes, with the auth routes' per-address budget.
 */
export const accountRoutes: FastifyPluginAsync<RouteDeps> = async (plugin, deps) => {
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()
  const { store, now, rateLimit } = deps
  // The budget first, so a flood of bad tokens is counted too; then the token.
  if (rateLimit) app.addHook('onRequest', rateLimit)
  app.addHook('onRequest', authenticate(store, now))

  app.delete(
    API_PATHS.me,
    {
      schema: {
        summary:
          'Deletes the account (注销): the user, every session on every device, the avatar, the ' +
          'phone number and the nickname',
        tags: TAGS,
        security: BEARER,
        body: EMPTY_BODY,
        response: {
          204: answer(
            { type: 'null' } as const,
            'Deleted: no body; every token of the user is dead',
          ),
          ...errorAnswers([...BODY_ERRORS, ...ACCOUNT_ERRORS]),
        },
      },
    },
    async (request, reply) => {
      await store.deleteUser(sessionOf(request).user.id)
      return reply.code(204).send(null)
    },
  )

  app.delete(
    API_PATHS.unbindPhone,
    {
      schema: {
        summary: "Unbinds the user's phone number",
        tags: TAGS,
        security: BEARER,
        body: EMPTY_BODY,
        response: {
          200: answer(USER_ANSWER, 'The user, without a phone number'),
          ...errorAnswers([...BODY_ERRORS, ...ACCOUNT_ERRORS]),
        },
      },
    },
    async (request) => {
      const user = await store.clearPhoneNumber(sessionOf(request).user.id, now())
      return { user: toUser(user, request) }
    },
  )

  app.get(
    API_PATHS.export,
    {
      schema: {
        summary: 'Everything held about the user, for them to keep',
        tags: TAGS,
        security: BEARER,
        response: {
          200: answer(ACCOUNT_EXPORT, 'What is held: never the session_key'),
          ...errorAnswers(ACCOUNT_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const at = now()
      const account = await store.exportAccount(sessionOf(request).user.id, at)
      // Personal data: no cache on the way (a proxy, the phone's HTTP cache) may keep a copy.
      void reply.header('cache-control', 'no-store')
      return {
        user: toUser(account.user, request),
        unionid: account.user.unionid,
        createdAt: iso(account.createdAt),
        lastLoginAt: account.lastLoginAt === null ? null : iso(account.lastLoginAt),
        sessions: {
          open: account.openSessions,
          since: account.oldestSessionAt === null ? null : iso(account.oldestSessionAt),
        },
        exportedAt: iso(at),
      }
    },
  )
}
