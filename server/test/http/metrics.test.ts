/**
 * The metrics, as Prometheus scrapes them: never on the public listener without the token, and
 * telling what a user's request did (a login's jscode2session call, a phone binding, a refusal).
 */
import { execFile } from 'node:child_process'
import { describeWhenAvailable } from '../../../test/support/needs'
import { PROMTOOL, promtoolMissing } from '../support/promtool'
import type { MetricsConfig } from '../../src/config/config'
import { scrape } from '../support/metrics'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'

const TOKEN = 'metrics-token-for-the-tests'
const ON_PUBLIC: MetricsConfig = { port: null, host: '127.0.0.1', token: TOKEN }
const OWN_PORT: MetricsConfig = { port: 0, host: '127.0.0.1', token: null }

let h: TestServer

afterEach(async () => {
  await h.close()
})

const scrapePublic = () => scrape(`${h.url}/metrics`, TOKEN)

describe('without METRICS_PORT or METRICS_TOKEN', () => {
  it('serves no metrics anywhere', async () => {
    h = await startTestServer()
    expect(h.metricsUrl).toBeNull()
    const reply = await fetch(`${h.url}/metrics`)
    expect(reply.status).toBe(404)
  })
})

describe('with METRICS_TOKEN', () => {
  it('serves them on the public listener only with the token', async () => {
    h = await startTestServer({ config: { metrics: ON_PUBLIC } })
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', TOKEN]) {
      const reply = await fetch(`${h.url}/metrics`, {
        headers: authorization === undefined ? {} : { authorization },
      })
      expect(reply.status).toBe(401)
      expect(((await reply.json()) as ErrorAnswer).error.code).toBe('UNAUTHORIZED')
    }
    expect((await scrapePublic()).value('weapp_login_store_up')).toBe(1)
  })

  it('shows the jscode2session call, the login and its timings after a login', async () => {
    h = await startTestServer({ config: { metrics: ON_PUBLIC } })
    const before = await scrapePublic()
    expect(before.value('weapp_login_logins_total')).toBe(0)
    expect(before.value('weapp_login_wechat_api_call_duration_seconds_count')).toBeUndefined()
    await h.login()
    const after = await scrapePublic()
    expect(
      after.value('weapp_login_wechat_api_call_duration_seconds_count', {
        api: 'jscode2session',
        errcode: '0',
      }),
    ).toBe(1)
    expect(after.value('weapp_login_logins_total')).toBe(1)
    expect(
      after.value('weapp_login_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/auth/login',
        status_code: '200',
      }),
    ).toBe(1)
    expect(
      after.value('weapp_login_store_query_duration_seconds_count', {
        operation: 'recordLogin',
        outcome: 'success',
      }),
    ).toBe(1)
    // The process' own, under prom-client's standard names.
    expect(after.value('process_cpu_seconds_total')).toBeGreaterThan(0)
    expect(after.value('nodejs_eventloop_lag_seconds')).toBeDefined()
  })

  it('counts WeChat by errcode, retries included, and by route what the server answered', async () => {
    h = await startTestServer({ config: { metrics: ON_PUBLIC } })
    // The access token's call is retried (a login code is never sent twice): the phone step's.
    const { token, openid } = await h.login()
    await h.control.addFault({ api: 'stable_token', errcode: -1, times: 3 })
    const { code } = await h.control.phone({ openid })
    expect((await h.call('POST', '/api/auth/phone', { token, json: { code } })).status).toBe(503)
    await h.call('GET', '/api/nowhere')
    const metrics = await scrapePublic()
    expect(
      metrics.value('weapp_login_wechat_api_call_duration_seconds_count', {
        api: 'stable_token',
        errcode: '-1',
      }),
    ).toBe(3)
    expect(
      metrics.value('weapp_login_http_request_duration_seconds_count', {
        route: '/api/auth/phone',
        status_code: '503',
      }),
    ).toBe(1)
    // An unknown path is one series, whatever the path.
    expect(
      metrics.value('weapp_login_http_request_duration_seconds_count', { route: 'unmatched' }),
    ).toBe(1)
  })

  it('counts phone bindings by kind, decryption failures, and the access token it refreshed', async () => {
    h = await startTestServer({ config: { metrics: ON_PUBLIC } })
    const { token, openid } = await h.login()
    const { code } = await h.control.phone({ openid })
    const { encryptedData, iv } = await h.control.phone({ openid })
    // Sealed with another user's session_key.
    const sealedForAnother = await h.control.phone({ openid: 'oSomeoneElse' })
    for (const json of [
      { code },
      { encryptedData, iv },
      { encryptedData: sealedForAnother.encryptedData, iv: sealedForAnother.iv },
    ]) {
      await h.call('POST', '/api/auth/phone', { token, json })
    }
    await h.control.retireAccessToken()
    await h.control.addFault({ api: 'stable_token', errcode: 40013 })
    const refused = await h.call('POST', '/api/auth/phone', {
      token,
      json: { code: (await h.control.phone({ openid })).code },
    })
    expect(refused.status).toBe(502)
    const metrics = await scrapePublic()
    expect(metrics.value('weapp_login_phone_bindings_total', { kind: 'code' })).toBe(1)
    expect(metrics.value('weapp_login_phone_bindings_total', { kind: 'legacy' })).toBe(1)
    expect(
      metrics.value('weapp_login_decryption_failures_total', { reason: 'undecryptable' }),
    ).toBe(1)
    const refreshes = (result: string) =>
      metrics.value('weapp_login_wechat_access_token_refreshes_total', {
        by: 'this_instance',
        result,
      })
    expect([refreshes('success'), refreshes('failure')]).toEqual([1, 1])
  })

  it('counts what the rate limiter refused, apart from WeChat’s own quota', async () => {
    h = await startTestServer({ config: { metrics: ON_PUBLIC, rateLimitPerMin: 2 } })
    await h.control.addFault({ api: 'jscode2session', errcode: 45011 })
    const { code } = await h.control.login({})
    const quota = await h.call('POST', '/api/auth/login', { json: { code } })
    expect(quota.status).toBe(429)
    expect((await scrapePublic()).value('weapp_login_rate_limited_total')).toBe(0)
    for (let i = 0; i < 3; i++) await h.call('POST', '/api/auth/login', { json: {} })
    expect((await scrapePublic()).value('weapp_login_rate_limited_total')).toBe(2)
  })
})

describe('with METRICS_PORT', () => {
  it('serves them on their own listener, and never on the public one', async () => {
    h = await startTestServer({ config: { metrics: { ...OWN_PORT, token: TOKEN } } })
    expect(h.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const publicReply = await fetch(`${h.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(publicReply.status).toBe(404)
    expect((await fetch(h.metricsUrl ?? '')).status).toBe(401)
    await h.login()
    const metrics = await scrape(h.metricsUrl ?? '', TOKEN)
    expect(metrics.value('weapp_login_logins_total')).toBe(1)
    expect((await fetch(new URL('/', h.metricsUrl ?? ''))).status).toBe(404)
  })
})

describeWhenAvailable('the metrics, linted by promtool', promtoolMissing, () => {
  it('follow Prometheus’ naming conventions', async () => {
    h = await startTestServer({ config: { metrics: OWN_PORT } })
    await h.login()
    const { text } = await scrape(h.metricsUrl ?? '')
    // This server's own: prom-client's standard process metrics keep the names dashboards know
    // (its nodejs_active_handles_total is a gauge, which promtool would flag).
    const own = text
      .split('\n')
      .filter((line) => /^(?:# (?:HELP|TYPE) )?weapp_login_/.test(line))
      .join('\n')
    expect(own).toContain('weapp_login_logins_total 1')
    const lint = await check(`${own}\n`)
    expect(lint).toEqual({ code: 0, output: '' })
  })
})

async function check(text: string): Promise<{ code: number; output: string }> {
  const child = execFile(PROMTOOL, ['check', 'metrics'])
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stdin?.end(text)
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)))
  return { code, output }
}
