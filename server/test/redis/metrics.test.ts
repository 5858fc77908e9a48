/** What the metrics say of Redis: whether it is up, its commands, and who refreshed the token. */
import { describeWhenAvailable } from '../../../test/support/needs'
import type { MetricsConfig } from '../../src/config/config'
import { scrape } from '../support/metrics'
import { freePort, onRedis, redisMissing } from '../support/redis'
import { startTestServer, type TestServer } from '../support/test-server'

const METRICS: MetricsConfig = { port: 0, host: '127.0.0.1', token: null }

const metricsOf = (h: TestServer) => scrape(h.metricsUrl ?? '')

describeWhenAvailable('the metrics of a server on Redis', redisMissing, () => {
  it('say Redis is up and time its commands', async () => {
    const redis = onRedis()
    const h = await startTestServer({
      ...redis,
      config: { ...redis.config, metrics: METRICS, rateLimitPerMin: 100 },
    })
    try {
      await h.login()
      const metrics = await metricsOf(h)
      expect(metrics.value('weapp_login_redis_up')).toBe(1)
      // The rate limiter's script, once per request to /api/auth/*.
      expect(
        metrics.value('weapp_login_redis_command_duration_seconds_count', { outcome: 'success' }),
      ).toBeGreaterThanOrEqual(1)
      expect(
        metrics.value('weapp_login_redis_command_duration_seconds_count', { outcome: 'failure' }),
      ).toBeUndefined()
    } finally {
      await h.close()
    }
  })

  it('say Redis is down while it cannot be reached, and count the commands that failed', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`
    const h = await startTestServer({
      ...onRedis(nowhere),
      config: { redis: { url: nowhere }, metrics: METRICS, rateLimitPerMin: 100 },
    })
    try {
      await h.login()
      const metrics = await metricsOf(h)
      expect(metrics.value('weapp_login_redis_up')).toBe(0)
      expect(
        metrics.value('weapp_login_redis_command_duration_seconds_count', { outcome: 'failure' }),
      ).toBeGreaterThanOrEqual(1)
    } finally {
      await h.close()
    }
  })

  it('tell the refresh one instance made from the one it took from another through Redis', async () => {
    const redis = onRedis()
    const options = { ...redis, config: { ...redis.config, metrics: METRICS } }
    const a = await startTestServer(options)
    // One WeChat for both, as in production.
    const b = await startTestServer({ ...options, emulator: a.emulator })
    try {
      const users = [await a.login(), await b.login()]
      // A slow refresh: whichever instance does not make it waits for the other's.
      await a.control.addFault({ api: 'stable_token', latencyMs: 300 })
      const replies = await Promise.all(
        [a, b].map(async (h, i) => {
          const { token, openid } = users[i]!
          const { code } = await h.control.phone({ openid })
          return h.call('POST', '/api/auth/phone', { token, json: { code } })
        }),
      )
      expect(replies.map((reply) => reply.status)).toEqual([200, 200])
      const refreshes = async (by: string) => {
        const counts = await Promise.all(
          [a, b].map(async (h) =>
            (await metricsOf(h)).value('weapp_login_wechat_access_token_refreshes_total', {
              by,
              result: 'success',
            }),
          ),
        )
        return counts.reduce((sum = 0, count = 0) => sum + count, 0)
      }
      expect(await refreshes('this_instance')).toBe(1)
      expect(await refreshes('another_instance')).toBe(1)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
