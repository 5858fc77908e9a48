/**
 * The server on Redis (REDIS_URL): what instances share, and what happens while Redis is away.
 * The outage runs on a Redis of this suite's own, so the shared one stays up for other suites.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { EMULATOR_APPID } from '../../../emulator'
import { DECRYPTION_FAILURES_PER_HOUR } from '../../src/limits/decryption-budget'
import { freezingProxy, type FreezingProxy } from '../support/freezing-proxy'
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
    h = await startTestServer({ ...redis, config: { ...redis.config, rateLimitPerMin: 3 } })
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    await services?.down()
  })

  const messages = (pattern: RegExp) => messagesOf(h, pattern)
  const stableTokenCalls = async () =>
    (await h.call<{ calls: { stable_token: number } }>('GET', '/__wechat/control/stats')).body.calls
      .stable_token
  const phoneCall = async (token: string, openid: string) => {
    const { code } = await h.control.phone({ openid })
    return h.call('POST', '/api/auth/phone', { token, json: { code } })
  }

  it('keeps serving meanwhile, with its own rate limit and a local token, and shares both again after', async () => {
    const { token, openid } = await h.login()
    expect((await phoneCall(token, openid)).status).toBe(200)
    expect(Object.keys(await keysUnder(services.redisUrl, redis.redisKeyPrefix))).toContain(
      TOKEN_KEY,
    )
    // The login and the phone call counted: one more, then the limit.
    expect((await badLogin(h)).status).toBe(400)
    expect((await badLogin(h)).status).toBe(429)

    await services.stop('redis')
    // The limit counts in this process now, from zero: never no limit at all. The phone call
    // needs no new token: the last one seen in Redis.
    const during = [(await badLogin(h)).status, (await phoneCall(token, openid)).status]
    // (h.login() throws unless the login answers 200.)
    const relogin = await h.login()
    during.push((await badLogin(h)).status)
    expect(during).toEqual([400, 200, 429])
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
    expect((await badLogin(h)).status).toBe(400)
    expect((await badLogin(h)).status).toBe(429)
    const keys = await keysUnder(services.redisUrl, redis.redisKeyPrefix)
    expect(Object.keys(keys).sort()).toEqual([`rate-limit:127.0.0.1`, TOKEN_KEY])
  }, 60_000)
})

describeWhenAvailable(
  'a server whose Redis stops answering (stopped, not closed)',
  redisMissing,
  () => {
    let proxy: FreezingProxy
    let h: TestServer

    beforeAll(async () => {
      const { hostname, port } = new URL(process.env.REDIS_URL ?? '')
      proxy = await freezingProxy({ host: hostname, port: Number(port) })
      const redis = onRedis(`redis://127.0.0.1:${proxy.port}`)
      h = await startTestServer({ ...redis, config: { ...redis.config, rateLimitPerMin: 3 } })
    })

    afterAll(async () => {
      await h?.close()
      await proxy?.close()
    })

    it('counts its own rate limit meanwhile, says so once when it starts and once when it ends', async () => {
      expect([(await badLogin(h)).status, (await badLogin(h)).status]).toEqual([400, 400])
      proxy.freeze()
      // The first command waits for its timeout and finds Redis gone; from then on this process
      // counts alone, from zero, and never lets an address through without a limit.
      const frozen: number[] = []
      for (let i = 0; i < 4; i++) frozen.push((await badLogin(h)).status)
      expect(frozen).toEqual([400, 400, 400, 429])
      // A PING that goes unanswered too makes it an outage, not a slow reply.
      await until('the outage to be logged', () => messagesOf(h, /^Redis cannot/).length > 0)
      proxy.thaw()
      await until(
        'the server to hear from Redis again',
        () => messagesOf(h, /^Redis is reachable again/).length > 0,
      )
      // Shared again: Redis counted the two before, the one that timed out, and goes on from there.
      expect((await badLogin(h)).status).toBe(429)
      expect(messagesOf(h, /^Redis cannot be reached/)).toEqual([
        expect.stringMatching(/^Redis cannot be reached \(Command timed out\)/),
      ])
      expect(messagesOf(h, /^Redis is reachable again/)).toHaveLength(1)
      expect(messagesOf(h, /unexpected error/)).toEqual([])
    })
  },
)

describeWhenAvailable('a server given the wrong Redis password', redisMissing, () => {
  const user = `weapp-login-test-${randomBytes(4).toString('hex')}`
  let admin: Redis

  beforeAll(async () => {
    admin = new Redis(process.env.REDIS_URL ?? '')
    await admin.call('ACL', 'SETUSER', user, 'on', '>the-right-password', '~*', '+@all')
  })

  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user)
    admin.disconnect()
  })

  it('says so once and counts its own rate limit, rather than none', async () => {
    const url = new URL(process.env.REDIS_URL ?? '')
    url.username = user
    url.password = 'a-wrong-password'
    const redis = onRedis(url.href)
    const h = await startTestServer({ ...redis, config: { ...redis.config, rateLimitPerMin: 2 } })
    try {
      const statuses = [(await badLogin(h)).status, (await badLogin(h)).status]
      statuses.push((await badLogin(h)).status)
      expect(statuses).toEqual([400, 400, 429])
      expect(messagesOf(h, /^Redis cannot be reached/)).toEqual([
        expect.stringMatching(/^Redis cannot be reached \(WRONGPASS/),
      ])
      expect(h.logs.join('\n')).not.toContain('a-wrong-password')
    } finally {
      await h.close()
    }
  })
})

describeWhenAvailable("a user's decryption failures in Redis", redisMissing, () => {
  it('are counted under the user, and in the process while Redis cannot be reached', async () => {
    const redis = onRedis()
    const nowhere = `redis://127.0.0.1:${await freePort()}`
    const [shared, alone] = await Promise.all([
      startTestServer(redis),
      startTestServer(onRedis(nowhere)),
    ])
    try {
      for (const h of [shared, alone]) {
        const { token, user } = await h.login()
        const garbage = {
          encryptedData: Buffer.alloc(32).toString('base64'),
          iv: Buffer.alloc(16).toString('base64'),
        }
        const statuses: number[] = []
        for (let i = 0; i <= DECRYPTION_FAILURES_PER_HOUR; i++) {
          statuses.push((await h.call('POST', '/api/auth/phone', { token, json: garbage })).status)
        }
        expect(statuses).toEqual([...Array(DECRYPTION_FAILURES_PER_HOUR).fill(409), 429])
        if (h === shared) {
          const keys = await keysUnder(process.env.REDIS_URL ?? '', redis.redisKeyPrefix)
          expect(keys[`decryption-failures:${user.id}`]).toBe(
            String(DECRYPTION_FAILURES_PER_HOUR + 1),
          )
        }
      }
    } finally {
      await Promise.all([shared.close(), alone.close()])
    }
  })
})

function messagesOf(h: TestServer, pattern: RegExp): string[] {
  return h.logs
    .map((line) => (JSON.parse(line) as { msg: string }).msg)
    .filter((m) => pattern.test(m))
}
