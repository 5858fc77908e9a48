/**
 * The server on Redis (REDIS_URL): what instances share, and what happens while Redis is away.
 * The outage runs on a Redis of this suite's own, so the shared one stays up for other suites.
 */
import { EMULATOR_APPID } from '../../../emulator'
import { describeWhenAvailable } from '../../../test/support/needs'
import {
  privateServices,
  servicesMissing,
  type PrivateServices,
} from '../../../test/support/services'
import { until } from '../../../test/support/until'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'
import { freePort, keysUnder, listClients, onRedis, redisMissing } from '../support/redis'

const TOKEN_KEY = `wechat-access-token:${EMULATOR_APPID}`

const badLogin = (h: TestServer) => h.call<ErrorAnswer>('POST', '/api/auth/login', { json: {} })

describeWhenAvailable('two servers on one Redis', redisMissing, () => {
  it('count one rate limit per address between them', async () => {
    const redis = onRedis()
    const options = { ...redis, config: { ...redis.config, rateLimitPerMin: 3 } }
    const [a, b] = await Promise.all([startTestServer(options), startTestServer(options)])
    try {
      const statuses = [
        (await badLogin(a)).status,
        (await badLogin(b)).status,
        (await badLogin(a)).status,
      ]
      expect(statuses).toEqual([400, 400, 400])
      for (const server of [b, a]) {
        const limited = await badLogin(server)
        expect(limited.status).toBe(429)
        expect(limited.body.error.code).toBe('RATE_LIMITED')
      }
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})

describeWhenAvailable('a server on Redis', redisMissing, () => {
  const url = process.env.REDIS_URL ?? ''
  const ownConnections = async () =>
    (await listClients(url)).filter((client) => client.includes(' name=weapp-login ')).length

  it('closes its connection to Redis when it stops', async () => {
    const before = await ownConnections()
    const h = await startTestServer(onRedis(url))
    expect(await ownConnections()).toBe(before + 1)
    await h.close()
    expect(await ownConnections()).toBe(before)
  })

  it('starts while Redis is down, says so once, and logs users in', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`
    const h = await startTestServer({
      ...onRedis(nowhere),
      config: { redis: { url: nowhere }, rateLimitPerMin: 5 },
    })
    try {
      for (let i = 0; i < 3; i++) await h.login()
      expect((await badLogin(h)).status).toBe(400)
      const lines = h.logs.map((line) => (JSON.parse(line) as { msg: string }).msg)
      expect(
        lines.filter((msg) => /^Redis cannot be reached \(ECONNREFUSED\)/.test(msg)),
      ).toHaveLength(1)
    } finally {
      await h.close()
    }
  })
})

describeWhenAvailable('a server whose Redis goes away and comes back', servicesMissing, () => {
  let services: PrivateServices
  let redis: ReturnType<typeof onRedis>
  let h: TestServer

  beforeAll(async () => {
    services = await privateServices()
    redis = onRedis(services.redisUrl)
    h = await startTestServer({ ...redis, config: { ...redis.config, rateLimitPerMin: 2 } })
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    await services?.down()
  })

  const messages = (pattern: RegExp) =>
    h.logs.map((line) => (JSON.parse(line) as { msg: string }).msg).filter((m) => pattern.test(m))
  const stableTokenCalls = async () =>
    (await h.call<{ calls: { stable_token: number } }>('GET', '/__wechat/control/stats')).body.calls
      .stable_token
  const phoneCall = async (token: string, openid: string) => {
    const { code } = await h.control.phone({ openid })
    return h.call('POST', '/api/auth/phone', { token, json: { code } })
  }

  it('lets logins through meanwhile, with a local token, and shares both again after', async () => {
    const { token, openid } = await h.login()
    expect((await phoneCall(token, openid)).status).toBe(200)
    expect(Object.keys(await keysUnder(services.redisUrl, redis.redisKeyPrefix))).toContain(
      TOKEN_KEY,
    )
    // The login and the phone call counted: the next auth request is over the limit.
    expect((await badLogin(h)).status).toBe(429)

    await services.stop('redis')
    // The limiter fails open, and the phone call needs no new token: the last one seen in Redis.
    const during = [
      (await badLogin(h)).status,
      (await badLogin(h)).status,
      (await phoneCall(token, openid)).status,
    ]
    // (h.login() throws unless the login answers 200.)
    const relogin = await h.login()
    expect(during).toEqual([400, 400, 200])
    expect(await stableTokenCalls()).toBe(1)
    expect(messages(/^Redis cannot be reached/)).toHaveLength(1)
    expect(messages(/unexpected error/)).toEqual([])

    await services.start('redis')
    await until('the server to reconnect to Redis', () => messages(/reachable again/).length > 0)
    expect(messages(/^Redis cannot be reached/)).toHaveLength(1)
    // The restarted Redis is empty: the next phone call stores the token there again, and the
    // limit counts from zero, in Redis again.
    expect((await phoneCall(relogin.token, relogin.openid)).status).toBe(200)
    expect((await badLogin(h)).status).toBe(400)
    expect((await badLogin(h)).status).toBe(429)
    const keys = await keysUnder(services.redisUrl, redis.redisKeyPrefix)
    expect(Object.keys(keys).sort()).toEqual([`rate-limit:127.0.0.1`, TOKEN_KEY])
  }, 60_000)
})
