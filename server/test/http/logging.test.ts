/** What an operator reads: JSON lines, one per request, each with the request's id. */
import { startTestServer, type TestServer } from '../support/test-server'

interface Line {
  level: number
  msg: string
  reqId?: string
  req?: { method: string; url: string }
  res?: { statusCode: number }
  responseTime?: number
}

const lines = (h: TestServer): Line[] => h.logs.map((line) => JSON.parse(line) as Line)

describe('the log', () => {
  let h: TestServer

  afterEach(async () => {
    await h.close()
  })

  it('has one line per request, when it is answered, with its id, which the answer names too', async () => {
    h = await startTestServer()
    const { code } = await h.control.login({})
    const reply = await h.call('POST', '/api/auth/login?from=somewhere', { json: { code } })
    const id = reply.headers.get('x-request-id') ?? ''
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const mine = lines(h).filter((line) => line.reqId === id)
    expect(mine).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        reqId: id,
        req: { method: 'POST', url: '/api/auth/login', remoteAddress: '127.0.0.1' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
        msg: 'request completed',
      },
    ])
    const other = await h.call('GET', '/api/me')
    expect(other.headers.get('x-request-id')).not.toBe(id)
  })

  it('gives the request’s id to what other parts log while they work for it', async () => {
    h = await startTestServer()
    await h.control.addFault({ api: 'jscode2session', errcode: 40013 })
    const { code } = await h.control.login({})
    const reply = await h.call('POST', '/api/auth/login', { json: { code } })
    expect(reply.status).toBe(502)
    const id = reply.headers.get('x-request-id')
    const wechat = lines(h).filter((line) => line.msg === 'unexpected answer from WeChat')
    expect(wechat).toEqual([expect.objectContaining({ level: 50, reqId: id })])
    // Lines outside any request have none.
    expect(lines(h).find((line) => /^Server listening/.test(line.msg))?.reqId).toBeUndefined()
  })

  it('under LOG_LEVEL=warn, says only what goes wrong', async () => {
    h = await startTestServer({ config: { logLevel: 'warn' } })
    await h.login()
    expect(await h.call('GET', '/api/me')).toMatchObject({ status: 401 })
    expect(h.logs).toEqual([])
    await h.control.addFault({ api: 'jscode2session', errcode: 40013 })
    const { code } = await h.control.login({})
    await h.call('POST', '/api/auth/login', { json: { code } })
    expect(lines(h).map((line) => line.msg)).toEqual(['unexpected answer from WeChat'])
  })

  it('under LOG_LEVEL=debug, also says when each request arrives', async () => {
    h = await startTestServer({ config: { logLevel: 'debug' } })
    const reply = await h.call('GET', '/api/me')
    const id = reply.headers.get('x-request-id')
    expect(
      lines(h)
        .filter((line) => line.reqId === id)
        .map((line) => line.msg),
    ).toEqual(['incoming request', 'request completed'])
  })

  it('leaves the probes of load balancers out, unless they fail', async () => {
    h = await startTestServer()
    await h.call('GET', '/healthz')
    await h.call('GET', '/readyz')
    expect(lines(h).filter((line) => line.req)).toEqual([])
  })

  describe('takes X-Request-Id', () => {
    const sent = '5f0c7d2e9a1b4c3d8e7f6a5b4c3d2e1f'

    it('from a proxy it trusts, so the proxy’s log and its own match', async () => {
      h = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } })
      const reply = await h.call('GET', '/api/me', { headers: { 'x-request-id': sent } })
      expect(reply.headers.get('x-request-id')).toBe(sent)
      expect(lines(h).filter((line) => line.reqId === sent)).toHaveLength(1)
    })

    it('from no one else, nor anything that is not an id', async () => {
      h = await startTestServer({ config: { trustProxy: 0 } })
      const direct = await h.call('GET', '/api/me', { headers: { 'x-request-id': sent } })
      expect(direct.headers.get('x-request-id')).not.toBe(sent)
      await h.close()
      h = await startTestServer({ config: { trustProxy: 1 } })
      for (const bad of ['a b', 'x'.repeat(65), 'id;drop']) {
        const reply = await h.call('GET', '/api/me', { headers: { 'x-request-id': bad } })
        expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      }
    })
  })
})
