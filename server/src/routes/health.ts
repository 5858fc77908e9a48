import type { FastifyPluginAsync } from 'fastify'
import type { RouteDeps } from './deps'

/**
 * A readiness check: 503 STORE_UNAVAILABLE while the database cannot be reached, so a load
 * balancer sends no one to an instance that cannot serve.
 */
export const healthRoutes: FastifyPluginAsync<RouteDeps> = async (app, { store }) => {
  app.get('/healthz', async () => {
    await store.ping()
    return { status: 'ok' }
  })
}
