import { png } from '../../common/images'
import { startTestServer, type TestServer } from './support/test-server'

// session_key must reach no response and no log line: this drives every route, the error paths
// that decrypt, sign and talk to WeChat included, and looks for every key the emulator issued.

let h: TestServer
const sessionKeys = new Set<string>()
const tokens = new Set<string>()

beforeAll(async () => {
  h = await startTestServer({ config: { rateLimitPerMin: 30 } })
})

afterAll(async () => {
  await h.close()
})

function remember(openid: string): void {
  const key = h.emulator.control.sessionKeyOf(openid)
  if (key) sessionKeys.add(key)
}

async function session(openid?: string) {
  const user = await h.login(openid)
  tokens.add(user.token)
  remember(user.openid)
  return user
}

it('never shows a session_key, nor a token in the log', async () => {
  for (let i = 0; i < 3; i++) await session()
  const { token, openid } = await session()
  const mintPhone = () => h.control.phone({ openid })
  const mintInfo = () => h.control.userInfo({ openid, nickName: 'Leak' })

  const phone = await mintPhone()
  await h.call('POST', '/api/auth/phone', { token, json: { code: phone.code } })
  await h.call('POST', '/api/auth/phone', { token, json: { code: phone.code } })
  await h.call('POST', '/api/auth/phone', {
    token,
    json: { encryptedData: phone.encryptedData, iv: phone.iv },
  })
  const info = await mintInfo()
  await h.call('POST', '/api/auth/userinfo', { token, json: info })
  await h.call('POST', '/api/auth/userinfo', {
    token,
    json: { ...info, signature: '0'.repeat(40) },
  })

  // A stale key: data encrypted with the key WeChat holds now, not the server's.
  await h.control.rotateSessionKey(openid)
  remember(openid)
  const stale = await mintPhone()
  await h.call('POST', '/api/auth/phone', {
    token,
    json: { encryptedData: stale.encryptedData, iv: stale.iv },
  })
  await h.call('POST', '/api/auth/userinfo', { token, json: await mintInfo() })

  // Form-decoded base64, WeChat errors, an unexpected errcode.
  await h.call('POST', '/api/auth/phone', {
    token,
    json: { encryptedData: stale.encryptedData.replaceAll('+', ' '), iv: stale.iv },
  })
  await h.control.addFault({ api: 'getuserphonenumber', errcode: 40001, times: 2 })
  await h.call('POST', '/api/auth/phone', { token, json: { code: (await mintPhone()).code } })
  await h.control.addFault({ api: 'jscode2session', errcode: 40013 })
  await h.call('POST', '/api/auth/login', {
    json: { code: (await h.control.login({ openid })).code },
  })
  remember(openid)

  const second = await session(openid)
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(png())]), 'a.png')
  await h.call('POST', '/api/me/avatar', { token: second.token, body: form })
  await h.call('PUT', '/api/me/profile', { token: second.token, json: { nickName: 'Leak' } })
  await h.call('GET', '/api/me', { token: second.token })
  await h.call('POST', '/api/auth/logout', { token: second.token })
  await h.call('GET', '/api/me', { token: second.token })
  // Over the limit on purpose: the 429 path answers too.
  for (let i = 0; i < 30; i++) await h.call('POST', '/api/auth/login', { json: { code: 'x' } })

  expect(sessionKeys.size).toBeGreaterThan(4)
  expect(h.logs.length).toBeGreaterThan(50)
  expect(h.bodies.some((body) => body.includes('RATE_LIMITED'))).toBe(true)
  const everything = [...h.bodies, ...h.logs]
  for (const key of sessionKeys) {
    expect(everything.filter((text) => text.includes(key))).toEqual([])
  }
  for (const token of tokens) {
    expect(h.logs.filter((line) => line.includes(token))).toEqual([])
  }
})
