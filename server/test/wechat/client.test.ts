import { EMULATOR_APPID } from '../../../emulator'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startServer, type RunningServer } from '../../src/server'
import { createTransport, TransportError } from '../../src/wechat/transport'

// The HTTP side of the WeChat client, against a WeChat that misbehaves in ways the emulator
// never does: a huge answer, an answer that stalls halfway, connections to count.

const SECRET = 'a-secret-that-must-stay-out-of-logs'

interface Upstream {
  url: string
  requests: number
  connections: number
  close(): Promise<void>
}

/** A stand-in for api.weixin.qq.com: `answer` writes each response. */
function startUpstream(answer: (response: http.ServerResponse) => void): Promise<Upstream> {
  const server = http.createServer((request, response) => {
    upstream.requests++
    request.resume()
    answer(response)
  })
  server.on('connection', () => upstream.connections++)
  const upstream: Upstream = {
    url: '',
    requests: 0,
    connections: 0,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve(upstream)
    })
  })
}

const session = (response: http.ServerResponse) =>
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ openid: 'oKeepAlive', session_key: 'c2Vzc2lvbktleTEyMzQ1Ng==' }))

describe('the WeChat client', () => {
  let upstream: Upstream | null = null
  let server: RunningServer | null = null
  const logs: string[] = []

  async function serverFor(answer: (response: http.ServerResponse) => void) {
    upstream = await startUpstream(answer)
    server = await startServer({
      config: {
        emulator: null,
        rateLimitPerMin: 0,
        wechat: { appid: EMULATOR_APPID, secret: SECRET, apiBase: upstream.url },
      },
      wechatHttp: { timeoutMs: 300, retryDelaysMs: [5, 5] },
      log: { stream: { write: (line: string) => logs.push(line) } },
    })
    return server
  }

  const login = async (url: string) => {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'the-code' }),
    })
    return { status: response.status, body: (await response.json()) as unknown }
  }

  afterEach(async () => {
    await server?.close()
    await upstream?.close()
    server = null
    upstream = null
    logs.length = 0
  })

  it('keeps one connection to WeChat alive across calls', async () => {
    const { url } = await serverFor(session)
    for (let i = 0; i < 5; i++) expect((await login(url)).status).toBe(200)
    expect({ requests: upstream?.requests, connections: upstream?.connections }).toEqual({
      requests: 5,
      connections: 1,
    })
  })

  it('refuses an answer larger than WeChat ever sends, without a retry', async () => {
    const { url } = await serverFor((response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ openid: 'o'.repeat(100_000), session_key: 'x' })),
    )
    expect(await login(url)).toEqual({
      status: 502,
      body: { error: { code: 'WECHAT_ERROR', message: expect.any(String) } },
    })
    expect(upstream?.requests).toBe(1)
    const line = logs.find((l) => l.includes('unexpected answer from WeChat'))
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      api: 'jscode2session',
      detail: 'the answer is over 65536 bytes',
    })
  })

  it('gives up on an answer that stalls halfway, each attempt within its timeout', async () => {
    const { url } = await serverFor((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      response.write('{"openid":')
    })
    expect(await login(url)).toEqual({
      status: 503,
      body: { error: { code: 'WECHAT_UNAVAILABLE', message: expect.any(String) } },
    })
    expect(upstream?.requests).toBe(3)
    const line = logs.find((l) => l.includes('WeChat is unavailable'))
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      api: 'jscode2session',
      reason: 'no answer within 300 ms',
      attempts: 3,
    })
    expect(logs.join('\n')).not.toContain(SECRET)
    expect(logs.join('\n')).not.toContain('the-code')
  })

  it('ends the calls in flight when it closes', async () => {
    let arrived = (): void => undefined
    const received = new Promise<void>((resolve) => (arrived = resolve))
    // A WeChat that takes the request and never answers.
    upstream = await startUpstream(() => arrived())
    const transport = createTransport(upstream.url)
    const call = transport.send('/sns/jscode2session', undefined, 60_000)
    // Once WeChat has the request, close: the call fails now, not after its minute.
    await received
    transport.close()
    await expect(call).rejects.toThrow(TransportError)
    await expect(call).rejects.not.toThrow('no answer within')
  })
})
