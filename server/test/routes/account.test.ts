/**
 * The user's own account, over HTTP on both engines: 注销 (DELETE /api/me), unbinding the phone,
 * logging out everywhere, the data export.
 */
import { png } from '../../../common/images'
import { describeWhenAvailable } from '../../../test/support/needs'
import type { User } from '../../src/sessions/user'
import { ENGINES, type FreshStore } from '../support/engines'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'

type UserAnswer = { user: User } & ErrorAnswer

interface ExportAnswer {
  user: User
  unionid: string | null
  createdAt: string
  lastLoginAt: string | null
  sessions: { open: number; since: string | null }
  exportedAt: string
}

for (const engine of ENGINES) {
  describeWhenAvailable(`the account routes on ${engine.name}`, engine.missing, () => {
    let fresh: FreshStore
    let h: TestServer

    beforeEach(async () => {
      fresh = await engine.fresh()
      h = await startTestServer({ config: fresh.config })
    })

    afterEach(async () => {
      await h.close()
      await fresh.remove()
    })

    const me = (token: string) => h.call<UserAnswer>('GET', '/api/me', { token })

    /** A user with all there is to hold: a phone number, a nickname, an uploaded avatar. */
    async function fullUser() {
      const { token, openid, user } = await h.login()
      const { code } = await h.control.phone({ openid, phoneNumber: '13912345678' })
      expect((await h.call('POST', '/api/auth/phone', { token, json: { code } })).status).toBe(200)
      await h.call('PUT', '/api/me/profile', { token, json: { nickName: '小明' } })
      const form = new FormData()
      form.append('avatar', new Blob([new Uint8Array(png())], { type: 'image/png' }), 'a.png')
      const uploaded = await h.call<{ avatarUrl: string }>('POST', '/api/me/avatar', {
        token,
        body: form,
      })
      return { token, openid, id: user.id, avatarUrl: uploaded.body.avatarUrl }
    }

    describe('DELETE /api/me', () => {
      it('deletes the user and all of theirs: every token 401, the avatar 404, then a new empty user', async () => {
        const { token, openid, id, avatarUrl } = await fullUser()
        const tablet = await h.login(openid)
        const served = await fetch(avatarUrl)
        expect(served.status).toBe(200)
        // No shared cache keeps it: after the deletion below, nobody is served it any more.
        expect(served.headers.get('cache-control')).toMatch(/^private,/)

        const deleted = await h.call('DELETE', '/api/me', { token })
        expect([deleted.status, deleted.text]).toEqual([204, ''])

        for (const held of [token, tablet.token]) {
          const reply = await me(held)
          expect([reply.status, reply.body.error.code]).toEqual([401, 'UNAUTHORIZED'])
        }
        expect((await fetch(avatarUrl)).status).toBe(404)
        for (const table of ['users', 'sessions', 'avatars']) {
          expect([table, await fresh.rows(`SELECT * FROM ${table}`)]).toEqual([table, []])
        }

        const again = await h.login(openid)
        expect(again.user).toEqual({
          id: expect.any(String),
          nickName: null,
          avatarUrl: null,
          phoneNumber: null,
        })
        expect(again.user.id).not.toBe(id)
      })

      it('answers a second delete 401, not 500', async () => {
        const { token } = await h.login()
        expect((await h.call('DELETE', '/api/me', { token })).status).toBe(204)
        const second = await h.call<ErrorAnswer>('DELETE', '/api/me', { token })
        expect([second.status, second.body.error.code]).toEqual([401, 'UNAUTHORIZED'])
      })

      it('answers two deletes at once, and a phone bound meanwhile, with 204 or 401: never 500', async () => {
        const { token, openid } = await fullUser()
        const { code } = await h.control.phone({ openid })
        const replies = await Promise.all([
          h.call('DELETE', '/api/me', { token }),
          h.call('DELETE', '/api/me', { token }),
          h.call('POST', '/api/auth/phone', { token, json: { code } }),
          h.call('DELETE', '/api/me/phone', { token }),
          h.call('GET', '/api/me/export', { token }),
        ])
        const statuses = replies.map((reply) => reply.status)
        expect(statuses.filter((status) => status === 204)).toHaveLength(1)
        expect(statuses.filter((status) => status >= 500)).toEqual([])
        expect(await fresh.rows('SELECT * FROM users')).toEqual([])
      })

      it('writes none of what it deleted to the log', async () => {
        const { token, openid } = await fullUser()
        await h.call('DELETE', '/api/me', { token })
        const log = h.logs.join('\n')
        for (const held of [openid, '13912345678', '小明', token]) {
          expect([held, log.includes(held)]).toEqual([held, false])
        }
      })
    })

    describe('DELETE /api/me/phone', () => {
      it('unbinds the number; the user and their export say so; a second unbind answers the same', async () => {
        const { token } = await fullUser()
        for (let i = 0; i < 2; i++) {
          const reply = await h.call<UserAnswer>('DELETE', '/api/me/phone', { token })
          expect(reply.status).toBe(200)
          expect(reply.body.user).toMatchObject({ nickName: '小明', phoneNumber: null })
        }
        expect((await me(token)).body.user.phoneNumber).toBeNull()
        const exported = await h.call<ExportAnswer>('GET', '/api/me/export', { token })
        expect(exported.body.user.phoneNumber).toBeNull()
        expect(await fresh.rows('SELECT phone_number, phone_encrypted FROM users')).toEqual([
          { phone_number: null, phone_encrypted: null },
        ])
      })
    })

    describe('POST /api/auth/logout-all', () => {
      it('ends every session of the user, this one included, and no one else’s', async () => {
        const phone = await h.login()
        const tablet = await h.login(phone.openid)
        const someoneElse = await h.login()
        const reply = await h.call('POST', '/api/auth/logout-all', { token: tablet.token })
        expect([reply.status, reply.text]).toEqual([204, ''])
        for (const held of [phone.token, tablet.token]) expect((await me(held)).status).toBe(401)
        expect((await me(someoneElse.token)).status).toBe(200)
        const again = await h.call<ErrorAnswer>('POST', '/api/auth/logout-all', {
          token: tablet.token,
        })
        expect([again.status, again.body.error.code]).toEqual([401, 'UNAUTHORIZED'])
        // The account stays: a login finds the same user.
        expect((await h.login(phone.openid)).user.id).toBe(phone.user.id)
      })
    })

    describe('GET /api/me/export', () => {
      it('answers everything held, the full number and the unionid included, never the session_key', async () => {
        const { code, openid } = await h.control.login({ unionid: 'oUnionExport' })
        const first = await h.call<{ token: string }>('POST', '/api/auth/login', {
          json: { code },
        })
        const started = new Date(Date.UTC(2026, 0, 1)).toISOString()
        h.advance(60_000)
        const { token } = await h.login(openid)
        const { code: phoneCode } = await h.control.phone({ openid, phoneNumber: '13912345678' })
        await h.call('POST', '/api/auth/phone', { token, json: { code: phoneCode } })
        h.advance(1000)

        const reply = await h.call<ExportAnswer>('GET', '/api/me/export', { token })
        expect(reply.status).toBe(200)
        expect(reply.headers.get('cache-control')).toBe('no-store')
        expect(reply.body).toEqual({
          user: {
            id: expect.any(String),
            nickName: null,
            avatarUrl: null,
            phoneNumber: '13912345678',
          },
          unionid: 'oUnionExport',
          createdAt: started,
          lastLoginAt: new Date(Date.UTC(2026, 0, 1) + 60_000).toISOString(),
          sessions: { open: 2, since: started },
          exportedAt: new Date(Date.UTC(2026, 0, 1) + 61_000).toISOString(),
        })
        const { sessionKey } = await h.control.user(openid)
        expect(reply.text).not.toContain(sessionKey)
        expect(reply.text).not.toContain(openid)
        expect(reply.text).not.toContain(first.body.token)
      })
    })
  })
}

describe('the account routes and the per-address rate limit', () => {
  let h: TestServer

  beforeEach(async () => {
    h = await startTestServer({ config: { rateLimitPerMin: 3 } })
  })

  afterEach(async () => {
    await h.close()
  })

  it('count against the budget of the auth routes, and answer 429 past it', async () => {
    const { token } = await h.login()
    expect((await h.call('GET', '/api/me/export', { token })).status).toBe(200)
    expect((await h.call('DELETE', '/api/me/phone', { token })).status).toBe(200)
    for (const [method, path] of [
      ['GET', '/api/me/export'],
      ['DELETE', '/api/me/phone'],
      ['DELETE', '/api/me'],
      ['POST', '/api/auth/logout-all'],
    ] as const) {
      const reply = await h.call<ErrorAnswer>(method, path, { token })
      expect([path, reply.status, reply.body.error.code]).toEqual([path, 429, 'RATE_LIMITED'])
    }
    // GET /api/me is not one of them.
    expect((await h.call('GET', '/api/me', { token })).status).toBe(200)
  })
})
