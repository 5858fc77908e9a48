/**
 * A rolling restart under load, as production does it: three instances of the compiled server on
 * one PostgreSQL and one Redis behind real nginx, configured as the documented example
 * (server/deploy/nginx.conf), a load generator sending a user's mix through it, and each instance
 * stopped with SIGTERM and started again in turn, the next one only once the new one's /readyz
 * answers 200. Not one request may fail, and every token issued must work afterwards.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import autocannon from 'autocannon'
import {
  compileServer,
  startCluster,
  startInstance,
  type Cluster,
  type ClusterOptions,
  type Instance,
} from '../../test/support/cluster'
import { describeWhenAvailable } from '../../test/support/needs'
import {
  EXAMPLE_CONFIG,
  exampleFor,
  nginxMissing,
  startNginx,
  type Nginx,
} from '../../test/support/nginx'
import { until } from '../../test/support/until'
import { spawnEmulator, type EmulatorProcess } from '../../emulator/test/support/emulator-process'
import { freshDatabase, postgresMissing, type TestDatabase } from './support/postgres'
import { freePort, redisMissing } from './support/redis'

/** Requests a second through nginx: a busy hour of a mid-sized mini-program, on two cores. */
const RATE = 300
const CONNECTIONS = 20
/** Seconds an instance keeps serving, unready, after its SIGTERM: over nginx's keepalive_timeout. */
const SHUTDOWN_DELAY_S = 2

interface Failure {
  path: string
  status: number
  body: string
}

const missing = postgresMissing ?? redisMissing ?? nginxMissing

describeWhenAvailable('a rolling restart behind nginx, under load', missing, () => {
  let build: Awaited<ReturnType<typeof compileServer>>
  let emulator: EmulatorProcess
  let database: TestDatabase
  let cluster: Cluster
  let nginx: Nginx
  let options: ClusterOptions
  let wechatUrl: string

  beforeAll(async () => {
    build = await compileServer()
    emulator = spawnEmulator({}, path.join(path.dirname(build.main), 'emulator/main.js'))
    const wechat = await emulator.listening
    wechatUrl = wechat.url
    database = await freshDatabase()
    options = {
      main: build.main,
      wechat,
      databaseUrl: database.url,
      redisUrl: process.env.REDIS_URL,
      env: {
        SHUTDOWN_DELAY_S: String(SHUTDOWN_DELAY_S),
        DATABASE_POOL_MAX: '5',
        // Every user here comes from one address, nginx's client; the limiter has its own tests.
        RATE_LIMIT_PER_MIN: '0',
        LOG_LEVEL: 'warn',
      },
    }
    cluster = await startCluster(3, options)
    const port = await freePort()
    const upstreams = cluster.instances.map((instance) => new URL(instance.url).host)
    const site = exampleFor(fs.readFileSync(EXAMPLE_CONFIG, 'utf8'), upstreams, `127.0.0.1:${port}`)
    nginx = await startNginx(path.join(cluster.dir, 'nginx'), site, port)
  }, 120_000)

  afterAll(async () => {
    await nginx?.stop()
    await cluster?.stop()
    await emulator?.stop()
    await database?.drop().catch(() => undefined)
    await build?.remove()
  })

  /** Codes for `count` logins of new users: WeChat's codes are single-use. */
  async function loginCodes(count: number): Promise<string[]> {
    const codes: string[] = []
    while (codes.length < count) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - codes.length) }, async () => {
          const response = await fetch(`${wechatUrl}/control/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
          return ((await response.json()) as { code: string }).code
        }),
      )
      codes.push(...batch)
    }
    return codes
  }

  /**
   * Until stop(): each connection a user who logs in, reads their profile and now and then sets a
   * nickname (logins 20 %, GET /api/me 70 %, PUT /api/me/profile 10 %), at RATE requests a second.
   */
  function userMix(codes: string[]) {
    const tokens: string[] = []
    const failures: Failure[] = []
    let next = 0
    type Context = { token?: string }
    const check = (path: string) => (status: number, body: string, context: object) => {
      if (status !== 200) failures.push({ path, status, body })
      if (path === '/api/auth/login' && status === 200) {
        const { token } = JSON.parse(body) as { token: string }
        ;(context as Context).token = token
        tokens.push(token)
      }
    }
    const login: autocannon.Request = {
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        const code = codes[next++]
        if (code === undefined) throw new Error(`more than ${codes.length} logins`)
        return { ...request, body: JSON.stringify({ code }) }
      },
      onResponse: check('/api/auth/login'),
    }
    const withToken = (request: autocannon.Request, context: object): autocannon.Request => ({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${(context as Context).token}` },
    })
    const me: autocannon.Request = {
      method: 'GET',
      path: '/api/me',
      setupRequest: withToken,
      onResponse: check('/api/me'),
    }
    const profile: autocannon.Request = {
      method: 'PUT',
      path: '/api/me/profile',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickName: '滚动重启' }),
      setupRequest: withToken,
      onResponse: check('/api/me/profile'),
    }
    let finish: (result: autocannon.Result) => void = () => undefined
    let fail: (error: unknown) => void = () => undefined
    const done = new Promise<autocannon.Result>((resolve, reject) => {
      finish = resolve
      fail = reject
    })
    const run = autocannon(
      {
        url: nginx.url,
        connections: CONNECTIONS,
        overallRate: RATE,
        duration: 120,
        requests: [login, me, me, me, me, profile, login, me, me, me],
      },
      (error, result) => (error ? fail(error) : finish(result)),
    )
    return {
      tokens,
      failures,
      stop: async () => {
        run.stop()
        return done
      },
    }
  }

  const ready = async (url: string) =>
    fetch(`${url}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    )

  it('fails no request and loses no token while each of the three restarts in turn', async () => {
    const codes = await loginCodes(RATE * 40 * 0.2)
    const load = userMix(codes)
    const old: Instance[] = []
    await until('the load to reach every instance', () => load.tokens.length >= 30)
    for (let i = 0; i < cluster.instances.length; i++) {
      const instance = cluster.instances[i]!
      old.push(instance)
      process.kill(instance.pid, 'SIGTERM')
      // Unready at once, serving still (SHUTDOWN_DELAY_S), then gone.
      await until(`${instance.name} to turn unready`, async () => !(await ready(instance.url)))
      expect(await instance.exited).toBe(0)
      const port = new URL(instance.url).port
      const replacement = await startInstance(
        `${instance.name}2`,
        { ...options, env: { ...options.env, PORT: port } },
        cluster.dir,
      )
      cluster.instances[i] = replacement
      await until(`${replacement.name} to be ready`, () => ready(replacement.url))
    }
    const tokensBefore = load.tokens.length
    // A little more load on the new instances only, then the count.
    await until('logins on the new instances', () => load.tokens.length >= tokensBefore + 20)
    const result = await load.stop()

    expect(load.failures).toEqual([])
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: 0,
    })
    expect(result.requests.total).toBeGreaterThan(1000)
    // Nothing went wrong that the instances would have logged (LOG_LEVEL=warn).
    expect([...old, ...cluster.instances].flatMap((instance) => instance.messages())).toEqual([])

    // Every token issued, by whichever instance, works on the new ones.
    const answers: number[] = []
    for (let i = 0; i < load.tokens.length; i += 50) {
      answers.push(
        ...(await Promise.all(
          load.tokens.slice(i, i + 50).map(async (token) => {
            const response = await fetch(`${nginx.url}/api/me`, {
              headers: { authorization: `Bearer ${token}` },
            })
            return response.status
          }),
        )),
      )
    }
    expect(answers.filter((status) => status !== 200)).toEqual([])
    expect(answers.length).toBe(load.tokens.length)
  }, 120_000)
})
