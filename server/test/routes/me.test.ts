import { get as httpGet } from 'node:http'
import type { User } from '../../src/sessions/user'
import { REFUSED_NICKNAMES, TAKEN_NICKNAMES } from '../../../test/support/nicknames'
import { jpeg, png, webpHeader } from '../../../common/images'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'

let h: TestServer
let token: string

beforeEach(async () => {
  h = await startTestServer()
  token = (await h.login()).token
})

afterEach(async () => {
  await h.close()
})

type UserAnswer = { user: User } & ErrorAnswer
type AvatarAnswer = { avatarUrl: string; user: User } & ErrorAnswer

const setNickName = (nickName: unknown) =>
  h.call<UserAnswer>('PUT', '/api/me/profile', { token, json: { nickName } })

/** What wx.uploadFile({ name: 'avatar', filePath }) sends. */
function upload(bytes: Buffer, options: { field?: string; filename?: string; type?: string } = {}) {
  const form = new FormData()
  const file = new Blob([new Uint8Array(bytes)], { type: options.type ?? 'image/png' })
  form.append(options.field ?? 'avatar', file, options.filename ?? 'tmp_avatar.png')
  return h.call<AvatarAnswer>('POST', '/api/me/avatar', { token, body: form })
}

describe('GET /api/me', () => {
  it('answers the signed-in user', async () => {
    const reply = await h.call<UserAnswer>('GET', '/api/me', { token })
    expect(reply.status).toBe(200)
    expect(reply.body.user).toEqual({
      id: expect.any(String),
      nickName: null,
      avatarUrl: null,
      phoneNumber: null,
    })
  })
})

describe('PUT /api/me/profile', () => {
  it('stores the trimmed nickname', async () => {
    const reply = await setNickName('  小明 ')
    expect(reply.status).toBe(200)
    expect(reply.body.user.nickName).toBe('小明')
    expect((await h.call<UserAnswer>('GET', '/api/me', { token })).body.user.nickName).toBe('小明')
  })

  it.each(TAKEN_NICKNAMES)('takes %s', async (_case, typed, kept) => {
    const reply = await setNickName(typed)
    expect(reply.status).toBe(200)
    expect(reply.body.user.nickName).toBe(kept)
  })

  it.each(REFUSED_NICKNAMES)('refuses %s as 400 NICKNAME_INVALID', async (_case, nickName) => {
    const reply = await setNickName(nickName)
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('NICKNAME_INVALID')
  })

  it.each([
    ['a number', { nickName: 42 }],
    ['no nickName', {}],
    ['an unknown field', { nickName: 'a', avatarUrl: 'x' }],
  ])('refuses %s as 400 INVALID_REQUEST', async (_case, json) => {
    const reply = await h.call<ErrorAnswer>('PUT', '/api/me/profile', { token, json })
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('INVALID_REQUEST')
  })
})

describe('POST /api/me/avatar', () => {
  it.each([
    ['a PNG', png(), 'image/png'],
    ['a JPEG', jpeg(), 'image/jpeg'],
    ['a WebP', webpHeader(), 'image/webp'],
  ])('stores %s and serves it with its content type', async (_case, bytes, contentType) => {
    // The declared type and the file name say nothing: wx.uploadFile sends what it likes.
    const reply = await upload(bytes, { type: 'application/octet-stream', filename: 'x.bin' })
    expect(reply.status).toBe(200)
    expect(reply.body.avatarUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/avatars\/[\w-]{22}\.\w+$/)
    expect(reply.body.user.avatarUrl).toBe(reply.body.avatarUrl)

    const served = await fetch(reply.body.avatarUrl)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe(contentType)
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('resolves the avatar URL against the host the client used', async () => {
    await upload(png())
    // fetch() will not set Host; a phone on the LAN reaches the server by another name.
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpGet(
        `${h.url}/api/me`,
        { headers: { host: '192.168.1.20:3000', authorization: `Bearer ${token}` } },
        (response) => {
          let text = ''
          response.on('data', (chunk: Buffer) => (text += chunk.toString()))
          response.on('end', () => resolve(text))
        },
      )
      request.on('error', reject)
    })
    const { user } = JSON.parse(body) as UserAnswer
    expect(user.avatarUrl).toMatch(/^http:\/\/192\.168\.1\.20:3000\/avatars\//)
  })

  it('replaces the previous avatar, whose URL then answers 404', async () => {
    const first = await upload(png())
    const second = await upload(jpeg())
    expect(second.body.avatarUrl).not.toBe(first.body.avatarUrl)
    expect((await fetch(first.body.avatarUrl)).status).toBe(404)
    expect((await fetch(second.body.avatarUrl)).status).toBe(200)
  })

  it('accepts exactly 1 MiB', async () => {
    const base = png().length
    const reply = await upload(png(2, 2, 1024 * 1024 - base - 12))
    expect(reply.status).toBe(200)
  })

  it('refuses an image over 1 MiB as 413, and keeps serving', async () => {
    const reply = await upload(png(2, 2, 1024 * 1024))
    expect(reply.status).toBe(413)
    expect(reply.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect((await h.call('GET', '/healthz')).status).toBe(200)
  })

  it.each([
    ['a text file named .png', Buffer.from('this is not an image\n')],
    ['an empty file', Buffer.alloc(0)],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
  ])('refuses %s as 415 UNSUPPORTED_MEDIA_TYPE', async (_case, bytes) => {
    const reply = await upload(bytes, { type: 'image/png', filename: 'avatar.png' })
    expect(reply.status).toBe(415)
    expect(reply.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('refuses a form without a file named avatar as 400', async () => {
    const wrongField = await upload(png(), { field: 'file' })
    expect(wrongField.status).toBe(400)
    expect(wrongField.body.error.code).toBe('INVALID_REQUEST')

    const form = new FormData()
    form.append('avatar', 'just text')
    const noFile = await h.call<ErrorAnswer>('POST', '/api/me/avatar', { token, body: form })
    expect(noFile.status).toBe(400)
    expect(noFile.body.error.code).toBe('INVALID_REQUEST')
  })

  it('refuses a body that is not multipart as 415', async () => {
    const json = await h.call<ErrorAnswer>('POST', '/api/me/avatar', { token, json: {} })
    expect(json.status).toBe(415)
    const raw = await h.call<ErrorAnswer>('POST', '/api/me/avatar', {
      token,
      body: png(),
      headers: { 'content-type': 'image/png' },
    })
    expect(raw.status).toBe(415)
    expect(raw.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('refuses a broken multipart body as a 4xx', async () => {
    const reply = await h.call<ErrorAnswer>('POST', '/api/me/avatar', {
      token,
      body: '--x\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n\r\n\x89PNG',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    })
    expect(reply.status).toBeGreaterThanOrEqual(400)
    expect(reply.status).toBeLessThan(500)
    const noBoundary = await h.call<ErrorAnswer>('POST', '/api/me/avatar', {
      token,
      body: 'hello',
      headers: { 'content-type': 'multipart/form-data' },
    })
    expect(noBoundary.status).toBeGreaterThanOrEqual(400)
    expect(noBoundary.status).toBeLessThan(500)
  })

  it('requires a token', async () => {
    const form = new FormData()
    form.append('avatar', new Blob([new Uint8Array(png())]), 'a.png')
    const reply = await h.call<ErrorAnswer>('POST', '/api/me/avatar', { body: form })
    expect(reply.status).toBe(401)
    expect(reply.body.error.code).toBe('UNAUTHORIZED')
  })
})

describe('GET /avatars/:file', () => {
  it.each(['AAAAAAAAAAAAAAAAAAAAAA.png', 'nope', '..%2Fweapp-login.sqlite3'])(
    'answers 404 NOT_FOUND for %s',
    async (file) => {
      const reply = await h.call<ErrorAnswer>('GET', `/avatars/${file}`)
      expect(reply.status).toBe(404)
      expect(reply.body.error.code).toBe('NOT_FOUND')
    },
  )
})
