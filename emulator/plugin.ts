import type { FastifyPluginAsync } from 'fastify'
import { controlApiRoutes } from './control-api/routes'
import { CONTROL_PREFIX } from './control-api/schema'
import type { WechatEmulator } from './emulator'
import {
  answerInWechatShape,
  controlStatus,
  readBodiesAsJson,
  RouteMethods,
  wechatStatus,
} from './http'
import { wechatApiRoutes } from './wechat-api/routes'

/**
 * The WeChat API emulator, for development only: WeChat's paths at the plugin's prefix, its
 * control API under /control. app.ts mounts it at /__wechat; main.ts serves it alone at the root.
 */
export const emulatorPlugin: FastifyPluginAsync<{ emulator: WechatEmulator }> = async (
  app,
  { emulator },
) => {
  const routes = new RouteMethods()
  app.addHook('onRoute', routes.record)
  readBodiesAsJson(app)
  answerInWechatShape(app, { routes, status: wechatStatus })
  await app.register(wechatApiRoutes, { emulator })

  await app.register(
    async (control) => {
      answerInWechatShape(control, { routes, status: controlStatus })
      // No body is an empty object, so a route's schema decides whether that will do.
      control.addHook('preValidation', async (request) => {
        if (request.body === undefined && request.routeOptions.schema?.body) request.body = {}
      })
      await control.register(controlApiRoutes, { emulator })
    },
    { prefix: CONTROL_PREFIX },
  )
}
