/**
 * Three instances of the compiled server in production, on one PostgreSQL and one Redis, with
 * the standalone emulator as their WeChat, and a client that spreads its calls over them as a
 * load balancer would. Everything runs on a PostgreSQL and Redis of this suite's own: it stops
 * and starts them, which would fail the suites on the shared ones. Last, a rolling restart under
 * load, as production does it: three instances behind real nginx configured as the documented
 * example, a load generator sending a user's mix through it, and each instance stopped with
 * SIGTERM and started again in turn, the next one only once the new one's /readyz answers 200.
 * Not one request may fail, and every token issued must work afterwards.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import {
  startCluster,
  startInstance,
  compileServer,
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
import { privateServices, servicesMissing, type PrivateServices } from '../../test/support/services'
import { until } from '../../test/support/until'
import type { User } from '../src/sessions/user'
import { spawnEmulator, type EmulatorProcess } from '../../emulator/test/support/emulator-process'
import { freshDatabase, postgresMissing, type TestDatabase } from './support/postgres'
import { freePort, redisMissing } from './support/redis'
import { controlClient, type ControlClient } from '../../emulator'
import { DECRYPTION_FAILURES_PER_HOUR } from '../src/limits/decryption-budget'

const RATE_LIMIT_PER_MIN = 10
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

interface Answer<T> {
  status: number
  body: T
}

interface ErrorAnswer {
  error: { code: string; message: string }
}

interface LoginAnswer {
  token: string
  user: User
}

interface Options {
  json?: unknown
  token?: string
  /** The client's address, as the proxy in front would forward it. */
  from?: string
}

// Addresses of the benchmarking range (RFC 2544), as X-Forwarded-For values only: each client
// its own, so the rate limit counts only where a test means it to.
let clients = 0
const newAddress = () => {
  const n = clients++
  return `198.18.${(n >> 8) & 255}.${n & 255}`
}

async function send<T>(
  instance: Instance,
  method: string,
  path: string,
  options: Options = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'x-forwarded-for': options.from ?? newAddress() }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(instance.url + path, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T }
}

const missing = servicesMissing ?? postgresMissing ?? redisMissing

describeWhenAvailable('three instances on one PostgreSQL and one Redis', missing, () => {
  let services: PrivateServices
  let database: TestDatabase
  let emulator: EmulatorProcess
  let build: Awaited<ReturnType<typeof compileServer>>
  let options: ClusterOptions
  let cluster: Cluster
  let wechatUrl: string
  /** The standalone emulator's control API. */
  let control: ControlClient

  beforeAll(async () => {
    emulator = spawnEmulator({})
    ;[services, build] = await Promise.all([privateServices(), compileServer()])
    database = await freshDatabase(services.databaseUrl)
    const wechat = await emulator.listening
    wechatUrl = wechat.url
    control = controlClient(wechatUrl)
    options = {
      main: build.main,
      wechat,
      databaseUrl: database.url,
      redisUrl: services.redisUrl,
      env: { RATE_LIMIT_PER_MIN: String(RATE_LIMIT_PER_MIN), DATABASE_POOL_MAX: '5' },
    }
    cluster = await startCluster(3, options)
  }, 120_000)

  afterAll(async () => {
    await cluster?.stop()
    await emulator?.stop()
    await database?.drop().catch(() => undefined)
    await services?.down()
    await build?.remove()
  })

  const instances = () => cluster.instances
  /** The instance for the i-th call: round robin, as a load balancer spreads them. */
  const spread = (i: number) => instances()[i % instances().length]

  const calls = async (): Promise<Record<string, number>> => (await control.stats()).calls

  const login = async (instance: Instance, openid?: string): Promise<LoginAnswer> => {
    const { code } = await control.login(openid ? { openid } : {})
    const reply = await send<LoginAnswer>(instance, 'POST', '/api/auth/login', { json: { code } })
    if (reply.status !== 200) throw new Error(`login on ${instance.name}: ${reply.status}`)
    return reply.body
  }
  const me = (instance: Instance, token: string) =>
    send<{ user: User }>(instance, 'GET', '/api/me', { token })

  /** From one new address, the limit's worth spread over all; then each instance says 429. */
  async function expectOneRateLimit(): Promise<void> {
    const from = newAddress()
    const within: number[] = []
    for (let i = 0; i < RATE_LIMIT_PER_MIN; i++) {
      within.push((await send(spread(i), 'POST', '/api/auth/login', { json: {}, from })).status)
    }
    expect(within).toEqual(Array(RATE_LIMIT_PER_MIN).fill(400))
    for (const instance of instances()) {
      const past = await send<ErrorAnswer>(instance, 'POST', '/api/auth/login', { json: {}, from })
      expect([instance.name, past.status, past.body.error.code]).toEqual([
        instance.name,
        429,
        'RATE_LIMITED',
      ])
    }
  }

  /** After WeChat retired the access token, 100 phone calls over all: one stable_token call. */
  async function expectOneRefreshForAll(): Promise<void> {
    const { code, openid } = await control.login()
    const reply = await send<LoginAnswer>(spread(0), 'POST', '/api/auth/login', { json: { code } })
    const { token } = reply.body
    const phoneCodes = await Promise.all(
      Array.from({ length: 100 }, () => control.phone({ openid })),
    )
    await control.retireAccessToken()
    const before = (await calls()).stable_token
    const replies = await Promise.all(
      phoneCodes.map((phone, i) =>
        send(spread(i), 'POST', '/api/auth/phone', { token, json: { code: phone.code } }),
      ),
    )
    expect(replies.filter((answer) => answer.status !== 200)).toEqual([])
    expect((await calls()).stable_token - before).toBe(1)
  }

  it('takes a token from any instance on every other; a logout on one ends it on all', async () => {
    const [a, b, c] = instances()
    const { token, user } = await login(a)
    for (const instance of [b, c]) {
      const reply = await me(instance, token)
      expect(reply.status).toBe(200)
      expect(reply.body.user.id).toBe(user.id)
    }
    expect((await send(b, 'POST', '/api/auth/logout', { token })).status).toBe(204)
    for (const instance of [a, b, c]) {
      const reply = await send<ErrorAnswer>(instance, 'GET', '/api/me', { token })
      expect(reply.status).toBe(401)
      expect(reply.body.error.code).toBe('UNAUTHORIZED')
    }
  })

  it('reads on every instance a phone number another encrypted; none is in the table in clear', async () => {
    const [a, b, c] = instances()
    const { code, openid } = await control.login()
    const { token } = (await send<LoginAnswer>(a, 'POST', '/api/auth/login', { json: { code } }))
      .body
    const phone = await control.phone({ openid, phoneNumber: '13955556666' })
    expect(
      (await send(b, 'POST', '/api/auth/phone', { token, json: { code: phone.code } })).status,
    ).toBe(200)
    for (const instance of [a, c]) {
      expect((await me(instance, token)).body.user.phoneNumber).toBe('13955556666')
    }
    const rows = await database.query('SELECT * FROM users')
    expect(JSON.stringify(rows)).not.toContain('39555566')
  })

  it('sees an account deleted on one instance at once on all: every token of it 401 everywhere', async () => {
    const [a, b, c] = instances()
    const { code, openid } = await control.login()
    const first = await send<LoginAnswer>(a, 'POST', '/api/auth/login', { json: { code } })
    const tokens = [
      first.body.token,
      (await login(b, openid)).token,
      (await login(c, openid)).token,
    ]
    const deleted = await send(c, 'DELETE', '/api/me', { token: tokens[0] })
    expect(deleted.status).toBe(204)
    for (const instance of [a, b, c]) {
      for (const token of tokens) {
        const reply = await send<ErrorAnswer>(instance, 'GET', '/api/me', { token })
        expect([instance.name, reply.status, reply.body.error.code]).toEqual([
          instance.name,
          401,
          'UNAUTHORIZED',
        ])
      }
    }
    const again = await login(b, openid)
    expect(again.user.id).not.toBe(first.body.user.id)
    expect(
      await database.query('SELECT id FROM users WHERE id = $1', [first.body.user.id]),
    ).toEqual([])
  })

  it('makes one user of 200 concurrent logins of one openid over the three', async () => {
    const openid = 'o_multi_instance_one_user'
    const codes = await Promise.all(Array.from({ length: 200 }, () => control.login({ openid })))
    const replies = await Promise.all(
      codes.map(({ code }, i) =>
        send<LoginAnswer>(spread(i), 'POST', '/api/auth/login', { json: { code } }),
      ),
    )
    expect(replies.filter((reply) => reply.status !== 200)).toEqual([])
    expect(new Set(replies.map((reply) => reply.body.user.id)).size).toBe(1)
    const rows = await database.query('SELECT id FROM users WHERE openid = $1', [openid])
    expect(rows).toHaveLength(1)
  })

  it('counts the rate limit across instances: past it, every instance answers 429', async () => {
    await expectOneRateLimit()
  })

  it('refreshes a retired access token once for all three', async () => {
    await expectOneRefreshForAll()
  })

  /**
   * Logins from `workers` concurrent clients, spread over the running instances, `total` in all;
   * `at` runs its step once that many have answered, while the load goes on. Each answer is kept
   * with the instance that gave it; a connection that fails (a killed instance) is kept apart.
   */
  async function loginLoad(
    total: number,
    at: Map<number, () => Promise<void>>,
  ): Promise<{
    answers: { instance: string; status: number; token?: string }[]
    failed: string[]
  }> {
    const answers: { instance: string; status: number; token?: string }[] = []
    const failed: string[] = []
    const steps: Promise<void>[] = []
    let started = 0
    const worker = async () => {
      while (started < total) {
        const i = started++
        const running = instances().filter((instance) => instance.running())
        const instance = running[i % running.length]
        const { code } = await control.login()
        try {
          const reply = await send<LoginAnswer>(instance, 'POST', '/api/auth/login', {
            json: { code },
          })
          answers.push({ instance: instance.name, status: reply.status, token: reply.body.token })
        } catch {
          failed.push(instance.name)
        }
        const step = at.get(answers.length)
        if (step) {
          at.delete(answers.length)
          steps.push(step())
        }
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    await Promise.all(steps)
    return { answers, failed }
  }

  it('loses no token and answers no 5xx when one instance is killed (-9) under load', async () => {
    const victim = instances()[2]
    const { answers, failed } = await loginLoad(450, new Map([[150, () => victim.kill('SIGKILL')]]))
    // Only connections to the killed instance may fail; every other answer is a login.
    expect(failed.filter((name) => name !== victim.name)).toEqual([])
    const survivors = answers.filter((answer) => answer.instance !== victim.name)
    expect(survivors.filter((answer) => answer.status !== 200)).toEqual([])
    expect(survivors.length).toBeGreaterThan(300)
    // Every token the killed instance issued works on the others.
    const issuedByVictim = answers.filter((a) => a.instance === victim.name && a.status === 200)
    expect(issuedByVictim.length).toBeGreaterThan(0)
    const [a, b] = instances()
    const checks = await Promise.all(
      issuedByVictim.map((answer, i) => me(i % 2 ? a : b, answer.token ?? '')),
    )
    expect(checks.filter((reply) => reply.status !== 200)).toEqual([])

    // A replacement for the next tests, on the same PostgreSQL and Redis.
    cluster.instances[2] = await startInstance('C2', options, cluster.dir)
  }, 120_000)

  it('keeps logins going while Redis stops and starts, and shares through it again', async () => {
    const outages = () =>
      instances().map((i) => i.messages().filter((m) => /^Redis cannot/.test(m)))
    const returns = () => instances().map((i) => i.messages().filter((m) => /^Redis is/.test(m)))
    const { answers, failed } = await loginLoad(
      450,
      new Map([
        [100, () => services.stop('redis')],
        [250, () => services.start('redis')],
      ]),
    )
    expect(failed).toEqual([])
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([])
    // Every instance noticed the outage once, and its end.
    expect(outages().map((lines) => lines.length)).toEqual([1, 1, 1])
    await until('every instance to reconnect to Redis', () =>
      returns().every((lines) => lines.length === 1),
    )
    // Shared again: the restarted Redis counts one limit for all, and holds one token for all.
    await expectOneRateLimit()
    await expectOneRefreshForAll()
  }, 120_000)

  it('keeps serving while Redis is frozen (SIGSTOP): each instance limits alone, says so once, and shares again after SIGCONT', async () => {
    const outages = () =>
      instances().map((i) => i.messages().filter((m) => /^Redis cannot/.test(m)).length)
    const returns = () =>
      instances().map((i) => i.messages().filter((m) => /^Redis is/.test(m)).length)
    const before = { outages: outages(), returns: returns() }
    await services.freeze('redis')
    try {
      const { answers, failed } = await loginLoad(150, new Map())
      expect(failed).toEqual([])
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([])
      // Each instance counts an address alone meanwhile: the limit on one, none spent on another.
      const [a, b] = instances()
      const from = newAddress()
      for (let i = 0; i < RATE_LIMIT_PER_MIN; i++) {
        expect((await send(a, 'POST', '/api/auth/login', { json: {}, from })).status).toBe(400)
      }
      expect((await send(a, 'POST', '/api/auth/login', { json: {}, from })).status).toBe(429)
      expect((await send(b, 'POST', '/api/auth/login', { json: {}, from })).status).toBe(400)
      await until('every instance to log the outage', () =>
        outages().every((count, i) => count === before.outages[i] + 1),
      )
    } finally {
      await services.thaw('redis')
    }
    await until('every instance to hear from Redis again', () =>
      returns().every((count, i) => count === before.returns[i] + 1),
    )
    expect(outages()).toEqual(before.outages.map((count) => count + 1))
    await expectOneRateLimit()
    await expectOneRefreshForAll()
  }, 120_000)

  it("counts a user's decryption failures across instances: past the budget, every instance refuses that user's payloads", async () => {
    const { code, openid } = await control.login()
    const reply = await send<LoginAnswer>(spread(0), 'POST', '/api/auth/login', { json: { code } })
    const { token } = reply.body
    const garbage = {
      encryptedData: Buffer.alloc(32).toString('base64'),
      iv: Buffer.alloc(16).toString('base64'),
    }
    const failures: number[] = []
    for (let i = 0; i < DECRYPTION_FAILURES_PER_HOUR; i++) {
      failures.push(
        (await send(spread(i), 'POST', '/api/auth/phone', { token, json: garbage })).status,
      )
    }
    expect(failures).toEqual(Array(DECRYPTION_FAILURES_PER_HOUR).fill(409))
    for (const instance of instances()) {
      const good = await control.phone({ openid })
      const refused = await send<ErrorAnswer>(instance, 'POST', '/api/auth/phone', {
        token,
        json: { encryptedData: good.encryptedData, iv: good.iv },
      })
      expect([instance.name, refused.status, refused.body.error.code]).toEqual([
        instance.name,
        429,
        'RATE_LIMITED',
      ])
    }
    // Another user's payloads still open, on any instance.
    const other = await control.login()
    const signedIn = await send<LoginAnswer>(spread(1), 'POST', '/api/auth/login', {
      json: { code: other.code },
    })
    const theirs = await control.phone({ openid: other.openid })
    const opened = await send(spread(2), 'POST', '/api/auth/phone', {
      token: signedIn.body.token,
      json: { encryptedData: theirs.encryptedData, iv: theirs.iv },
    })
    expect(opened.status).toBe(200)
  })

  it('answers 503 STORE_UNAVAILABLE while PostgreSQL is down; the same processes serve after', async () => {
    const { token, user } = await login(instances()[0])
    const pids = instances().map((instance) => instance.pid)
    await services.stop('postgres')
    for (const instance of instances()) {
      const { code } = await control.login()
      const down = [
        await send<ErrorAnswer>(instance, 'GET', '/api/me', { token }),
        await send<ErrorAnswer>(instance, 'POST', '/api/auth/login', { json: { code } }),
        await send<ErrorAnswer>(instance, 'GET', '/readyz'),
      ]
      for (const reply of down) {
        expect(reply.status).toBe(503)
        expect(reply.body).toEqual({
          error: { code: 'STORE_UNAVAILABLE', message: expect.any(String) },
        })
      }
      expect((await send(instance, 'GET', '/healthz')).status).toBe(200)
    }
    await services.start('postgres')
    for (const instance of instances()) {
      const reply = await me(instance, token)
      expect(reply.status).toBe(200)
      expect(reply.body.user.id).toBe(user.id)
      expect((await send(instance, 'GET', '/readyz')).status).toBe(200)
      await login(instance)
    }
    expect(instances().map((instance) => [instance.pid, instance.running()])).toEqual(
      pids.map((pid) => [pid, true]),
    )
  }, 60_000)

  describeWhenAvailable('a rolling restart behind nginx, under load', nginxMissing, () => {
    let rolling: Cluster
    let rollingDatabase: TestDatabase
    let rollingOptions: ClusterOptions
    let nginx: Nginx

    // Three instances of their own, as a team runs them behind nginx, which is configured as the
    // documented example (server/deploy/nginx.conf).
    beforeAll(async () => {
      rollingDatabase = await freshDatabase(services.databaseUrl)
      rollingOptions = {
        ...options,
        databaseUrl: rollingDatabase.url,
        env: {
          SHUTDOWN_DELAY_S: String(SHUTDOWN_DELAY_S),
          DATABASE_POOL_MAX: '5',
          // Every user here comes from one address, nginx's client; the limiter has its tests.
          RATE_LIMIT_PER_MIN: '0',
          LOG_LEVEL: 'warn',
        },
      }
      rolling = await startCluster(3, rollingOptions)
      const port = await freePort()
      const upstreams = rolling.instances.map((instance) => new URL(instance.url).host)
      const site = exampleFor(readFileSync(EXAMPLE_CONFIG, 'utf8'), upstreams, `127.0.0.1:${port}`)
      nginx = await startNginx(join(rolling.dir, 'nginx'), site, port)
    }, 60_000)

    afterAll(async () => {
      await nginx?.stop()
      await rolling?.stop()
      await rollingDatabase?.drop().catch(() => undefined)
    })

    /** Codes for `count` logins of new users: WeChat's codes are single-use. */
    async function loginCodes(count: number): Promise<string[]> {
      const codes: string[] = []
      while (codes.length < count) {
        const batch = Array.from({ length: Math.min(50, count - codes.length) }, () =>
          control.login({}),
        )
        codes.push(...(await Promise.all(batch)).map(({ code }) => code))
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
      for (let i = 0; i < rolling.instances.length; i++) {
        const instance = rolling.instances[i]!
        old.push(instance)
        process.kill(instance.pid, 'SIGTERM')
        // Unready at once, serving still (SHUTDOWN_DELAY_S), then gone.
        await until(`${instance.name} to turn unready`, async () => !(await ready(instance.url)))
        expect(await instance.exited).toBe(0)
        const port = new URL(instance.url).port
        const replacement = await startInstance(
          `${instance.name}2`,
          { ...rollingOptions, env: { ...rollingOptions.env, PORT: port } },
          rolling.dir,
        )
        rolling.instances[i] = replacement
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
      expect([...old, ...rolling.instances].flatMap((instance) => instance.messages())).toEqual([])

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
})
