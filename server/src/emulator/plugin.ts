import type { FastifyPluginAsync } from 'fastify'
import { controlApiRoutes } from './control-api'
import type { WechatEmulator } from './emulator'
import { wechatApiRoutes } from './wechat-api'

/** The WeChat API emulator, for development only: app.ts mounts it at /__wechat. */
export const emulatorPlugin: FastifyPluginAsync<{ emulator: WechatEmulator }> = async (
  app,
  { emulator },
) => {
  await app.register(wechatApiRoutes, { emulator })
  await app.register(controlApiRoutes, { emulator, prefix: '/control' })
}
