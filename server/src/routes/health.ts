import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync } from 'fastify'
import { HEALTH_ANSWER } from '../../../miniprogram/contract'
import { answer, errorAnswers } from './answers'
import type { RouteDeps } from './deps'

/**
 * A readiness check: 503 STORE_UNAVAILABLE while the database cannot be reached, so a load
 * balancer sends no one to an instance that cannot serve.
 */
export const healthRoutes: FastifyPluginAsync<RouteDeps> = async (plugin, { store }) => {
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Readiness: the server can reach its database',
        tags: ['health'],
        response: { 200: answer(HEALTH_ANSWER, 'Ready'), ...errorAnswers([]) },
      },
    },
    async () => {
      await store.ping()
      return { status: 'ok' as const }
    },
  )
}
