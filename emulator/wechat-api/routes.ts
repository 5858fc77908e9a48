import type { FastifyPluginAsync } from 'fastify'
import type { WechatEmulator } from '../emulator'

type Query = Record<string, unknown>

/** WeChat's own paths and shapes: errors are 200 answers with an errcode, as WeChat sends them. */
export const wechatApiRoutes: FastifyPluginAsync<{ emulator: WechatEmulator }> = async (
  app,
  { emulator },
) => {
  app.get('/sns/jscode2session', async (request) => {
    return (
      (await emulator.api.enter('jscode2session')) ??
      emulator.api.code2Session(request.query as Query)
    )
  })

  app.get('/cgi-bin/token', async (request) => {
    return (await emulator.api.enter('token')) ?? emulator.api.classicToken(request.query as Query)
  })

  app.post('/cgi-bin/stable_token', async (request) => {
    return (await emulator.api.enter('stable_token')) ?? emulator.api.stableToken(request.body)
  })

  app.post('/wxa/business/getuserphonenumber', async (request) => {
    const { access_token: accessToken } = request.query as Query
    return (
      (await emulator.api.enter('getuserphonenumber')) ??
      emulator.api.getPhoneNumber(accessToken, request.body)
    )
  })

  app.get('/wxa/checksession', async (request) => {
    return (
      (await emulator.api.enter('checksession')) ??
      emulator.api.checkSession(request.query as Query)
    )
  })
}
