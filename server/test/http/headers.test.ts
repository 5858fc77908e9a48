import { startTestServer, type TestServer } from '../support/test-server'
import { exchange } from '../support/raw-http'

// What every answer says about itself to browsers and caches between the client and the server:
// a JSON answer is never sniffed as something else, and nothing that carries a token or a user's
// data is kept by a cache on the way.

let h: TestServer
let token: string
let openid: string

beforeAll(async () => {
  h = await startTestServer()
  ;({ token, openid } = await h.login())
})

afterAll(async () => {
  await h.close()
})

describe('Cache-Control: no-store', () => {
  it.each([
    [
      'a login',
      async () =>
        h.call('POST', '/api/auth/login', { json: { code: (await h.control.login({})).code } }),
    ],
    ['a refused login', () => h.call('POST', '/api/auth/login', { json: { code: 'unknown' } })],
    [
      'a phone number',
      async () =>
        h.call('POST', '/api/auth/phone', {
          token,
          json: { code: (await h.control.phone({ openid })).code },
        }),
    ],
    [
      'user info',
      async () =>
        h.call('POST', '/api/auth/userinfo', { token, json: await h.control.userInfo({ openid }) }),
    ],
    ['the user', () => h.call('GET', '/api/me', { token })],
    ['the user, refused', () => h.call('GET', '/api/me')],
    ['a profile', () => h.call('PUT', '/api/me/profile', { token, json: { nickName: 'Kit' } })],
  ])('is on the answer to %s', async (_what, send) => {
    const reply = await send()
    expect(reply.headers.get('cache-control')).toBe('no-store')
  })
})

describe('X-Content-Type-Options: nosniff', () => {
  it.each([
    ['/api/me', 'GET', { token }],
    ['/api/me', 'GET', {}],
    ['/healthz', 'GET', {}],
    ['/api/nope', 'GET', {}],
    ['/api/auth/login', 'POST', { json: {} }],
    ['/__wechat/sns/jscode2session', 'GET', {}],
  ] as const)('is on every JSON answer: %s %s', async (path, method, options) => {
    const reply = await h.call(method, path, options)
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/)
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('is on an answer Node words before Fastify sees the request', async () => {
    const answer = await exchange(h.url, (socket) => socket.write('GARBAGE\r\n\r\n'))
    expect(answer.head).toMatch(/\r\nx-content-type-options: nosniff\r\n/i)
  })
})
