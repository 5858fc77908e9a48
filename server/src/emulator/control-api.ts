import type { FastifyPluginAsync } from 'fastify'
import { EMPTY_BODY, objectBody, text } from '../schema'
import { WECHAT_APIS, type FaultRequest, type WechatEmulator } from './emulator'
import { WechatError } from './errcodes'

const ID = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }

/** The emulator's control API (docs/api.md): for tests, the fake wx, previews and other backends. */
export const controlApiRoutes: FastifyPluginAsync<{ emulator: WechatEmulator }> = async (
  app,
  { emulator },
) => {
  app.post<{ Body: { openid?: string; unionid?: string } }>(
    '/login',
    { schema: { body: objectBody({ openid: ID, unionid: ID }) } },
    async (request) => emulator.mintLoginCode(request.body),
  )

  app.post<{ Body: { openid: string; phoneNumber?: string; countryCode?: string } }>(
    '/phone',
    {
      schema: {
        body: objectBody(
          {
            openid: ID,
            phoneNumber: { type: 'string', pattern: '^[0-9]{4,20}$' },
            countryCode: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
          },
          ['openid'],
        ),
      },
    },
    async (request) => emulator.mintPhone(request.body),
  )

  app.post<{ Body: { openid: string; nickName?: string; avatarUrl?: string } }>(
    '/userinfo',
    {
      schema: {
        body: objectBody({ openid: ID, nickName: text(64), avatarUrl: text(1024) }, ['openid']),
      },
    },
    async (request) => emulator.mintUserInfo(request.body),
  )

  app.post<{ Body: { openid: string } }>(
    '/rotate-session-key',
    { schema: { body: objectBody({ openid: ID }, ['openid']) } },
    async (request) => {
      emulator.rotateSessionKey(request.body.openid)
      return { ok: true }
    },
  )

  app.post<{ Body: FaultRequest }>(
    '/faults',
    {
      schema: {
        body: objectBody(
          {
            api: { enum: WECHAT_APIS },
            errcode: { type: 'integer' },
            latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
            times: { type: 'integer', minimum: 1, maximum: 1_000_000 },
          },
          ['api'],
        ),
      },
    },
    async (request) => {
      if (request.body.errcode === undefined && request.body.latencyMs === undefined) {
        throw new WechatError(40097, 'a fault needs an errcode, a latencyMs or both')
      }
      emulator.addFault(request.body)
      return { ok: true }
    },
  )

  app.delete('/faults', async () => {
    emulator.clearFaults()
    return { ok: true }
  })

  app.post('/retire-access-token', { schema: { body: EMPTY_BODY } }, async () => {
    emulator.retireAccessTokens()
    return { ok: true }
  })

  app.post('/reset', { schema: { body: EMPTY_BODY } }, async () => {
    emulator.reset()
    return { ok: true }
  })

  app.get('/stats', async () => emulator.stats())

  app.get('/info', async () => emulator.info())

  // Read-only: a tool that checks a backend for leaks (the conformance kit) learns the keys to
  // look for, without minting a code that would give the user a new one.
  app.get<{ Params: { openid: string } }>(
    '/users/:openid',
    { schema: { params: objectBody({ openid: ID }, ['openid']) } },
    async (request) => {
      const user = emulator.knownUser(request.params.openid)
      if (!user) throw new WechatError(40003, 'the emulator has not met this openid')
      return user
    },
  )
}
