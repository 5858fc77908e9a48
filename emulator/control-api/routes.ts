import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync } from 'fastify'
import { WECHAT_ERRCODE as E } from '../../common/wechat-errcodes'
import type { WechatEmulator } from '../emulator'
import { WechatError } from '../errcodes'
import {
  CONTROL_PATHS as PATH,
  DONE,
  FAULT_REQUEST,
  HELD_USER,
  INFO,
  LOGIN_CODE,
  LOGIN_REQUEST,
  NO_REQUEST,
  OPENID_REQUEST,
  PHONE_PAYLOAD,
  PHONE_REQUEST,
  STATS,
  USER_INFO_PAYLOAD,
  USER_INFO_REQUEST,
} from './schema'

const done = { ok: true } as const

/** The emulator's control API (docs/api.md): for tests, the fake wx, previews and other backends. */
export const controlApiRoutes: FastifyPluginAsync<{ emulator: WechatEmulator }> = async (
  plugin,
  { emulator },
) => {
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()
  const { control } = emulator

  app.post(
    PATH.login,
    { schema: { body: LOGIN_REQUEST, response: { 200: LOGIN_CODE } } },
    async (request) => control.mintLoginCode(request.body),
  )

  app.post(
    PATH.phone,
    { schema: { body: PHONE_REQUEST, response: { 200: PHONE_PAYLOAD } } },
    async (request) => control.mintPhone(request.body),
  )

  app.post(
    PATH.userinfo,
    { schema: { body: USER_INFO_REQUEST, response: { 200: USER_INFO_PAYLOAD } } },
    async (request) => control.mintUserInfo(request.body),
  )

  app.post(
    PATH.rotateSessionKey,
    { schema: { body: OPENID_REQUEST, response: { 200: DONE } } },
    async (request) => {
      control.rotateSessionKey(request.body.openid)
      return done
    },
  )

  app.post(
    PATH.faults,
    { schema: { body: FAULT_REQUEST, response: { 200: DONE } } },
    async (request) => {
      if (request.body.errcode === undefined && request.body.latencyMs === undefined) {
        throw new WechatError(E.INVALID_ARGS, 'a fault needs an errcode, a latencyMs or both')
      }
      control.addFault(request.body)
      return done
    },
  )

  app.delete(PATH.faults, { schema: { response: { 200: DONE } } }, async () => {
    control.clearFaults()
    return done
  })

  app.post(
    PATH.retireAccessToken,
    { schema: { body: NO_REQUEST, response: { 200: DONE } } },
    async () => {
      control.retireAccessTokens()
      return done
    },
  )

  app.post(PATH.reset, { schema: { body: NO_REQUEST, response: { 200: DONE } } }, async () => {
    control.reset()
    return done
  })

  app.get(PATH.stats, { schema: { response: { 200: STATS } } }, async () => control.stats())

  app.get(PATH.info, { schema: { response: { 200: INFO } } }, async () => control.info())

  // Read-only: a tool that checks a backend for leaks (the conformance kit) learns the keys to
  // look for, without minting a code that would give the user a new one.
  app.get(
    PATH.user,
    { schema: { params: OPENID_REQUEST, response: { 200: HELD_USER } } },
    async (request) => {
      const user = control.knownUser(request.params.openid)
      if (!user) throw new WechatError(E.INVALID_OPENID, 'the emulator has not met this openid')
      return user
    },
  )
}
