import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync } from 'fastify'
import { HEALTH_ANSWER, HEALTH_PATHS } from '../../../miniprogram/contract'
import { ApiError } from '../http/errors'
import { answer, errorAnswers } from './answers'
import type { RouteDeps } from './deps'

const TAGS = ['health']
// Load balancers and orchestrators ask every few seconds: a line each would drown the log.
const PROBE_LOG_LEVEL = 'warn'

/**
 * Liveness and readiness, two questions: /healthz whether the process answers at all (restart it
 * if not), /readyz whether to send it users now. A database outage makes an instance unready,
 * never dead: a restart would not bring PostgreSQL back.
 */
export const healthRoutes: FastifyPluginAsync<RouteDeps> = async (plugin, deps) => {
  const { store, lifecycle } = deps
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()

  app.get(
    HEALTH_PATHS.live,
    {
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        summary: 'Liveness: the process answers; it asks nothing else',
        tags: TAGS,
        response: { 200: answer(HEALTH_ANSWER, 'Alive'), ...errorAnswers([]) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    HEALTH_PATHS.ready,
    {
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        summary:
          'Readiness: the database answers, its schema is what this release needs, and the ' +
          'server is not stopping',
        tags: TAGS,
        response: { 200: answer(HEALTH_ANSWER, 'Ready'), ...errorAnswers(['NOT_READY']) },
      },
    },
    async () => {
      if (lifecycle.draining) throw new ApiError('NOT_READY', 'the server is stopping')
      // Throws STORE_UNAVAILABLE while the database cannot be reached.
      const problem = await store.schemaProblem()
      if (problem !== null) throw new ApiError('NOT_READY', `the database schema: ${problem}`)
      return { status: 'ok' as const }
    },
  )
}
