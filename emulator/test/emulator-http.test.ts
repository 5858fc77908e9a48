import { EMULATOR_APPID, EMULATOR_SECRET } from '..'
import { startEmulator, type RunningEmulator } from '../server'
import { spawnEmulator } from './support/emulator-process'
import { startTestServer } from '../../server/test/support/test-server'
import {
  drippedRequests,
  dripUntilCut,
  exchange,
  SHORT_TIMEOUTS,
} from '../../server/test/support/raw-http'
import { wechatCall, type WechatCall } from '../../server/test/support/wechat-call'

// Whatever a client sends, everything under the emulator answers in WeChat's shape, as WeChat
// does: the standalone process (`npm run emulator`) and the server's /__wechat mount alike.

const RID = /, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/
const credentials = {
  grant_type: 'client_credential',
  appid: EMULATOR_APPID,
  secret: EMULATOR_SECRET,
}
const OVERSIZED = JSON.stringify({ ...credentials, padding: 'x'.repeat(17 * 1024) })

interface Target {
  base: string
  close(): Promise<unknown>
}

const targets: [string, () => Promise<Target>][] = [
  [
    'the standalone emulator process',
    async () => {
      const emulator = spawnEmulator({})
      return { base: (await emulator.listening).url, close: () => emulator.stop() }
    },
  ],
  [
    'the server’s /__wechat mount',
    async () => {
      const h = await startTestServer()
      return { base: `${h.url}/__wechat`, close: () => h.close() }
    },
  ],
]

// [case, method, path, call, errcode, errmsg]: WeChat's paths answer all of these with HTTP 200.
const WECHAT_CASES: [string, string, string, WechatCall, number, string][] = [
  ['the root', 'GET', '/', {}, 40066, 'invalid url'],
  ['an unknown path', 'GET', '/cgi-bin/nope', {}, 40066, 'invalid url'],
  ['a known path with a trailing slash', 'GET', '/sns/jscode2session/', {}, 40066, 'invalid url'],
  ['a path that is not valid percent-encoding', 'GET', '/sns/%E0%A4%A', {}, 40066, 'invalid url'],
  ['GET on a POST API', 'GET', '/cgi-bin/stable_token', {}, 43002, 'require POST method'],
  [
    'DELETE on a POST API',
    'DELETE',
    '/wxa/business/getuserphonenumber',
    {},
    43002,
    'require POST method',
  ],
  ['POST on a GET API', 'POST', '/sns/jscode2session', { json: {} }, 43001, 'require GET method'],
  ['POST on the classic token', 'POST', '/cgi-bin/token', {}, 43001, 'require GET method'],
  ['no body', 'POST', '/cgi-bin/stable_token', {}, 44002, 'empty post data'],
  [
    'an empty JSON body',
    'POST',
    '/cgi-bin/stable_token',
    { body: '', headers: { 'content-type': 'application/json' } },
    44002,
    'empty post data',
  ],
  [
    'malformed JSON',
    'POST',
    '/cgi-bin/stable_token',
    { body: '{"grant_type":', headers: { 'content-type': 'application/json' } },
    47001,
    'data format error',
  ],
  [
    'a body that is not JSON',
    'POST',
    '/cgi-bin/stable_token',
    { body: 'hello', headers: { 'content-type': 'text/plain' } },
    47001,
    'data format error',
  ],
  [
    'a form body',
    'POST',
    '/cgi-bin/stable_token',
    {
      body: new URLSearchParams(credentials).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    47001,
    'data format error',
  ],
  [
    'a JSON array',
    'POST',
    '/cgi-bin/stable_token',
    { json: [credentials] },
    47001,
    'data format error',
  ],
  [
    'a body over 16 KiB',
    'POST',
    '/cgi-bin/stable_token',
    { body: OVERSIZED, headers: { 'content-type': 'application/json' } },
    45002,
    'content size out of limit',
  ],
]

// The control API is not WeChat's: the same body shape, with a status a tool notices.
const CONTROL_CASES: [string, string, string, WechatCall, number, number, string][] = [
  ['an unknown control route', 'GET', '/control/nope', {}, 404, 40066, 'invalid url'],
  [
    'a control route that does not decode',
    'GET',
    '/control/%E0%A4%A',
    {},
    404,
    40066,
    'invalid url',
  ],
  ['GET on a control route', 'GET', '/control/login', {}, 405, 43002, 'require POST method'],
  [
    'malformed JSON',
    'POST',
    '/control/login',
    { body: '{', headers: { 'content-type': 'application/json' } },
    400,
    47001,
    'data format error',
  ],
  ['an unknown field', 'POST', '/control/login', { json: { x: 1 } }, 400, 40097, 'invalid args'],
  [
    'a fault with nothing to do',
    'POST',
    '/control/faults',
    { json: { api: 'token' } },
    400,
    40097,
    'invalid args',
  ],
  [
    'a body over 16 KiB',
    'POST',
    '/control/login',
    { body: OVERSIZED, headers: { 'content-type': 'application/json' } },
    413,
    45002,
    'content size out of limit',
  ],
]

describe.each(targets)('%s', (_name, start) => {
  let target: Target

  beforeAll(async () => {
    target = await start()
  })

  afterAll(async () => {
    await target.close()
  })

  it.each(WECHAT_CASES)(
    'answers %s with HTTP 200 and WeChat’s errcode',
    async (_case, method, path, call, errcode, errmsg) => {
      const reply = await wechatCall(target.base, method, path, call)
      expect(reply.status).toBe(200)
      expect(reply.contentType).toMatch(/^application\/json/)
      expect(reply.body).toEqual({ errcode, errmsg: expect.stringMatching(RID) })
      expect(reply.body.errmsg).toMatch(new RegExp(`^${errmsg}[:,]`))
    },
  )

  it.each(CONTROL_CASES)(
    'answers %s on the control API in WeChat’s shape, with a 4xx',
    async (_case, method, path, call, status, errcode, errmsg) => {
      const reply = await wechatCall(target.base, method, path, call)
      expect(reply.status).toBe(status)
      expect(reply.contentType).toMatch(/^application\/json/)
      expect(reply.body).toEqual({ errcode, errmsg: expect.stringMatching(RID) })
      expect(reply.body.errmsg).toMatch(new RegExp(`^${errmsg}[:,]`))
    },
  )

  it.each([
    ['says nothing of its type', {}],
    ['says it is text/plain', { 'content-type': 'text/plain' }],
  ])('reads a JSON body that %s, as WeChat does', async (_case, headers) => {
    const reply = await wechatCall(target.base, 'POST', '/cgi-bin/stable_token', {
      body: JSON.stringify(credentials),
      headers,
    })
    expect(reply.body).toEqual({ access_token: expect.any(String), expires_in: expect.any(Number) })
  })

  it.each([
    ['a WeChat path', '/sns/jscode2session', 200],
    ['a control route', '/control/stats', 400],
  ])(
    'answers an HTTP/1.1 request without a Host header on %s with 47001',
    async (_case, path, status) => {
      const prefix = new URL(target.base).pathname.replace(/\/$/, '')
      const answer = await exchange(target.base, (socket) =>
        socket.write(`GET ${prefix}${path} HTTP/1.1\r\nConnection: close\r\n\r\n`),
      )
      expect(answer.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `))
      expect(JSON.parse(answer.body)).toEqual({
        errcode: 47001,
        errmsg: expect.stringMatching(/^data format error: the request has no Host header, rid: /),
      })
    },
  )
})

describe('the standalone emulator, with a client that sends its request too slowly', () => {
  let running: RunningEmulator

  beforeAll(async () => {
    running = await startEmulator({
      host: '127.0.0.1',
      port: 0,
      mode: 'strict',
      appid: EMULATOR_APPID,
      secret: EMULATOR_SECRET,
      requestTimeouts: SHORT_TIMEOUTS,
    })
  })

  afterAll(async () => {
    await running.close()
  })

  it.each(drippedRequests('/cgi-bin/stable_token'))(
    'cuts it off while it drips %s, with 408 and -1 in WeChat’s shape',
    async (_part, start, drip) => {
      const answer = await dripUntilCut(running.url, start, drip)
      expect(answer.dripped).toBeGreaterThan(0)
      expect(answer.head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
      expect(JSON.parse(answer.body)).toEqual({
        errcode: -1,
        errmsg: expect.stringMatching(/^system error: the request did not arrive in time/),
      })
      const token = await wechatCall(running.url, 'POST', '/cgi-bin/stable_token', {
        json: credentials,
      })
      expect(token.body).toEqual({
        access_token: expect.any(String),
        expires_in: expect.any(Number),
      })
    },
  )
})
