/**
 * PostgreSQL stopped under a running server, then started again: the server answers 503
 * STORE_UNAVAILABLE meanwhile, says so once in its log, and serves again without a restart.
 * On a PostgreSQL of this suite's own: stopping the shared one would fail the suites on it.
 */
import { Client } from 'pg'
import { describeWhenAvailable } from '../../../test/support/needs'
import {
  privateServices,
  servicesMissing,
  type PrivateServices,
} from '../../../test/support/services'
import type { User } from '../../src/sessions/user'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'
import { freezingProxy, type FreezingProxy } from '../support/freezing-proxy'
import { scrape } from '../support/metrics'
import { freshDatabase, postgresMissing, type TestDatabase } from '../support/postgres'

const UNREACHABLE = /the database cannot be reached/
const BACK = /the database is reachable again/

function messages(h: TestServer): string[] {
  return h.logs.map((line) => (JSON.parse(line) as { msg: string }).msg)
}

/** Every reply is 503 STORE_UNAVAILABLE; the outage is logged once, and nothing as a bug. */
function expectOutage(h: TestServer, replies: { status: number; body: unknown }[]): void {
  for (const reply of replies) {
    expect(reply.status).toBe(503)
    expect(reply.body).toEqual({
      error: { code: 'STORE_UNAVAILABLE', message: expect.any(String) },
    })
  }
  expect(messages(h).filter((msg) => UNREACHABLE.test(msg))).toHaveLength(1)
  expect(messages(h).filter((msg) => msg === 'unexpected error')).toEqual([])
}

describeWhenAvailable('a server whose PostgreSQL goes away and comes back', servicesMissing, () => {
  let services: PrivateServices
  let database: TestDatabase
  let h: TestServer

  beforeAll(async () => {
    services = await privateServices()
    database = await freshDatabase(services.databaseUrl)
    h = await startTestServer({
      config: {
        database: { url: database.url, poolMax: 4 },
        metrics: { port: 0, host: '127.0.0.1', token: null },
      },
    })
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    await services?.down()
  })

  it('answers 503 STORE_UNAVAILABLE while it is down and serves again once it is back', async () => {
    const { token, user } = await h.login()
    // Connections in the pool, idle when the server goes: their end must not end the process.
    await Promise.all(Array.from({ length: 4 }, () => h.call('GET', '/api/me', { token })))

    await services.stop('postgres')
    const down = [
      await h.call<ErrorAnswer>('GET', '/api/me', { token }),
      await h.call<ErrorAnswer>('PUT', '/api/me/profile', { token, json: { nickName: '小明' } }),
      await h.call<ErrorAnswer>('POST', '/api/auth/login', {
        json: { code: (await h.control.login()).code },
      }),
      await h.call<ErrorAnswer>('GET', '/readyz'),
    ]
    expectOutage(h, down)
    // Alive all the same: a restart would not bring PostgreSQL back.
    expect((await h.call('GET', '/healthz')).status).toBe(200)
    expect((await scrape(h.metricsUrl ?? '')).value('weapp_login_store_up')).toBe(0)

    await services.start('postgres')
    const me = await h.call<{ user: User }>('GET', '/api/me', { token })
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe(user.id)
    expect((await h.call('GET', '/readyz')).status).toBe(200)
    expect((await scrape(h.metricsUrl ?? '')).value('weapp_login_store_up')).toBe(1)
    expect((await h.login()).user.id).not.toBe(user.id)
    expect(messages(h).filter((msg) => BACK.test(msg))).toHaveLength(1)
  }, 60_000)

  it('answers 503 to a request whose query was running when its connection went', async () => {
    const { token, user } = await h.login()
    // Another session holds the user's row, so the profile update waits inside PostgreSQL.
    const holder = new Client({ connectionString: database.url })
    await holder.connect()
    await holder.query('BEGIN')
    await holder.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id])
    const update = h.call<ErrorAnswer>('PUT', '/api/me/profile', {
      token,
      json: { nickName: '小红' },
    })
    const waiting = async () =>
      database.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
      )
    let blocked = await waiting()
    while (blocked.length === 0) {
      await new Promise((done) => setTimeout(done, 10))
      blocked = await waiting()
    }

    // What a shutdown does to each backend (57P01), aimed at the waiting one alone: stopping the
    // whole server would also end the holder, and the update might slip through before its own end.
    await database.query('SELECT pg_terminate_backend($1)', [blocked[0].pid])
    const reply = await update
    expect(reply.status).toBe(503)
    expect(reply.body.error.code).toBe('STORE_UNAVAILABLE')

    await holder.query('ROLLBACK')
    await holder.end()
    const me = await h.call<{ user: User }>('GET', '/api/me', { token })
    expect(me.status).toBe(200)
    expect(me.body.user).toMatchObject({ id: user.id, nickName: null })
  }, 60_000)
})

describeWhenAvailable('a server whose PostgreSQL stops answering', postgresMissing, () => {
  let database: TestDatabase
  let proxy: FreezingProxy
  let h: TestServer

  beforeEach(async () => {
    database = await freshDatabase()
    const url = new URL(database.url)
    proxy = await freezingProxy({ host: url.hostname, port: Number(url.port || 5432) })
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    // A short query timeout keeps the test quick; production's is QUERY_TIMEOUT_MS.
    h = await startTestServer({
      config: { database: { url: url.href, poolMax: 2, queryTimeoutMs: 300 } },
    })
  }, 60_000)

  afterEach(async () => {
    await h?.close()
    await proxy?.close()
    await database?.drop()
  })

  /** Signs a user in with both pool connections open, then freezes PostgreSQL: both 503. */
  async function frozenWithUser(): Promise<{ token: string; user: User }> {
    const signedIn = await h.login()
    await Promise.all([1, 2].map(() => h.call('GET', '/api/me', { token: signedIn.token })))
    proxy.freeze()
    const replies = await Promise.all(
      [1, 2].map(() => h.call<ErrorAnswer>('GET', '/api/me', { token: signedIn.token })),
    )
    expectOutage(h, replies)
    return signedIn
  }

  async function servesAgain(token: string, user: User): Promise<void> {
    const again = await Promise.all(
      [1, 2].map(() => h.call<{ user: User }>('GET', '/api/me', { token })),
    )
    expect(again.map((reply) => [reply.status, reply.body.user.id])).toEqual([
      [200, user.id],
      [200, user.id],
    ])
    expect(messages(h).filter((msg) => BACK.test(msg))).toHaveLength(1)
  }

  it('answers 503 STORE_UNAVAILABLE instead of waiting, and serves again when it answers', async () => {
    const { token, user } = await frozenWithUser()
    proxy.thaw()
    await servesAgain(token, user)
  }, 30_000)

  it('serves from a new connection when the old ones never hear back (a failover)', async () => {
    const { token, user } = await frozenWithUser()
    // The connections that waited were destroyed, not pooled again behind their lost answers.
    proxy.abandon()
    await servesAgain(token, user)
  }, 30_000)
})
