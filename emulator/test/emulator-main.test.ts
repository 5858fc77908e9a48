import { EMULATOR_APPID, EMULATOR_SECRET, PREVIEW_OPENID } from '..'
import { spawnEmulator } from './support/emulator-process'
import { exchange } from '../../server/test/support/raw-http'
import { wechatCall } from '../../server/test/support/wechat-call'

// `npm run emulator`: the emulator alone, in its own process, as a backend in another language
// meets it.

const control = async <T>(base: string, route: string, json: unknown = {}): Promise<T> => {
  const reply = await wechatCall(base, 'POST', `/control/${route}`, { json })
  if (reply.status !== 200) throw new Error(`control/${route}: ${JSON.stringify(reply.body)}`)
  return reply.body as T
}

it('prints its base URL, appid and secret first; serves a login, tokens and phone numbers', async () => {
  const emulator = spawnEmulator({ EMULATOR_PORT: '0' })
  try {
    const { url, appid, secret } = await emulator.listening
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toMatch(/:0$/)
    expect({ appid, secret }).toEqual({ appid: EMULATOR_APPID, secret: EMULATOR_SECRET })
    await emulator.printed(`base URL at ${url}`)

    const login = await control<{ code: string; openid: string }>(url, 'login')
    const query = { appid, secret, js_code: login.code, grant_type: 'authorization_code' }
    const session = await wechatCall(url, 'GET', '/sns/jscode2session', { query })
    expect(session.body).toEqual({ openid: login.openid, session_key: expect.any(String) })
    const replay = await wechatCall(url, 'GET', '/sns/jscode2session', { query })
    expect(replay.body).toMatchObject({ errcode: 40163 })

    // The classic token: a new one at each call, the one before still good; stable_token apart.
    const classic = { grant_type: 'client_credential', appid, secret }
    const token = async (path: string, call: Parameters<typeof wechatCall>[3]) => {
      const reply = await wechatCall(url, path === '/cgi-bin/token' ? 'GET' : 'POST', path, call)
      expect(reply.body).toEqual({ access_token: expect.any(String), expires_in: 7200 })
      return String(reply.body.access_token)
    }
    const first = await token('/cgi-bin/token', { query: classic })
    const second = await token('/cgi-bin/token', { query: classic })
    const stable = await token('/cgi-bin/stable_token', { json: classic })
    expect(new Set([first, second, stable]).size).toBe(3)
    for (const accessToken of [first, second, stable]) {
      const phone = await control<{ code: string }>(url, 'phone', {
        openid: login.openid,
        phoneNumber: '2025550123',
        countryCode: '1',
      })
      const answer = await wechatCall(url, 'POST', '/wxa/business/getuserphonenumber', {
        query: { access_token: accessToken },
        json: { code: phone.code, openid: login.openid },
      })
      expect(answer.body).toMatchObject({ errcode: 0, phone_info: { phoneNumber: '+12025550123' } })
    }
    const wrong = await wechatCall(url, 'GET', '/cgi-bin/token', {
      query: { ...classic, secret: 'wrong' },
    })
    expect(wrong.body).toMatchObject({ errcode: 40125 })
    const stats = await wechatCall(url, 'GET', '/control/stats')
    expect(stats.body.calls).toMatchObject({ jscode2session: 2, token: 3, stable_token: 1 })

    const busy = spawnEmulator({ EMULATOR_PORT: new URL(url).port })
    expect(await busy.exited).toBe(1)
    expect(busy.output().stderr).toContain('is in use')
  } finally {
    expect(await emulator.stop('SIGTERM')).toBe(0)
  }
}, 30_000)

it('takes its appid, secret and mode from the environment; stops on SIGINT', async () => {
  const emulator = spawnEmulator({
    EMULATOR_APPID: 'wx1234567890abcdef',
    EMULATOR_SECRET: 'another-secret',
    EMULATOR_MODE: 'preview',
  })
  try {
    const { url, appid, secret } = await emulator.listening
    expect({ appid, secret }).toEqual({ appid: 'wx1234567890abcdef', secret: 'another-secret' })
    await emulator.printed('preview mode')
    const query = { js_code: 'a-real-devtools-code', grant_type: 'authorization_code' }
    const defaults = await wechatCall(url, 'GET', '/sns/jscode2session', {
      query: { ...query, appid: EMULATOR_APPID, secret: EMULATOR_SECRET },
    })
    expect(defaults.body).toMatchObject({ errcode: 40013 })
    const preview = await wechatCall(url, 'GET', '/sns/jscode2session', {
      query: { ...query, appid, secret },
    })
    expect(preview.body).toMatchObject({ openid: PREVIEW_OPENID })
  } finally {
    expect(await emulator.stop('SIGINT')).toBe(0)
  }
}, 30_000)

it('answers a request Node cannot parse in WeChat’s shape', async () => {
  const emulator = spawnEmulator({})
  try {
    const { url } = await emulator.listening
    const { head, body } = await exchange(url, (socket) => socket.write('GARBAGE\r\n\r\n'))
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(JSON.parse(body)).toEqual({ errcode: 47001, errmsg: expect.any(String) })
  } finally {
    await emulator.stop()
  }
}, 30_000)

it('exits 1 listing every problem with its configuration', async () => {
  const emulator = spawnEmulator({
    EMULATOR_HOST: 'not a host',
    EMULATOR_PORT: 'eighty',
    EMULATOR_MODE: 'lenient',
    EMULATOR_APPID: 'wxNOPE',
    EMULATOR_SECRET: 'has spaces in it',
  })
  expect(await emulator.exited).toBe(1)
  const { stdout, stderr } = emulator.output()
  expect(stdout).toBe('')
  expect(stderr).toContain('invalid configuration:')
  for (const name of ['HOST', 'PORT', 'MODE', 'APPID', 'SECRET']) {
    expect(stderr).toContain(`EMULATOR_${name} must`)
  }
  expect(stderr).not.toContain('has spaces in it')
}, 30_000)
