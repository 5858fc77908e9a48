import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { User } from '../src/sessions/user'
import { png } from '../../common/images'
import { startTestServer } from './support/test-server'

let dataDir: string

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-restart-'))
})

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

it('keeps users, tokens, phone numbers, profiles and avatars across a restart', async () => {
  const first = await startTestServer({ config: { dataDir } })
  const { token, openid } = await first.login('oRestartUser')
  const loggedOut = (await first.login('oRestartUser')).token
  const { code } = await first.control.phone({
    openid,
    phoneNumber: '13911112222',
  })
  await first.call('POST', '/api/auth/phone', { token, json: { code } })
  await first.call('PUT', '/api/me/profile', { token, json: { nickName: '小红' } })
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(png())]), 'a.png')
  await first.call('POST', '/api/me/avatar', { token, body: form })
  await first.call('POST', '/api/auth/logout', { token: loggedOut })
  const before = (await first.call<{ user: User }>('GET', '/api/me', { token })).body.user
  await first.close()

  const second = await startTestServer({ config: { dataDir } })
  try {
    const me = await second.call<{ user: User }>('GET', '/api/me', { token })
    expect(me.status).toBe(200)
    const avatarPath = (url: string | null) => (url === null ? null : new URL(url).pathname)
    expect({ ...me.body.user, avatarUrl: avatarPath(me.body.user.avatarUrl) }).toEqual({
      ...before,
      avatarUrl: avatarPath(before.avatarUrl),
    })
    expect(me.body.user).toMatchObject({ nickName: '小红', phoneNumber: '13911112222' })
    expect((await fetch(me.body.user.avatarUrl ?? '')).status).toBe(200)
    expect((await second.call('GET', '/api/me', { token: loggedOut })).status).toBe(401)
    // The new emulator has forgotten the user's key: the legacy payload is stale until the
    // user logs in again, as after a login elsewhere.
    const payload = async () => {
      const { encryptedData, iv } = await second.control.phone({ openid })
      return { encryptedData, iv }
    }
    const stale = await second.call('POST', '/api/auth/phone', { token, json: await payload() })
    expect(stale.status).toBe(409)
    // The same WeChat user is the same app user after the restart.
    const again = await second.login(openid)
    expect(again.user.id).toBe(before.id)
    const fresh = await second.call('POST', '/api/auth/phone', {
      token: again.token,
      json: await payload(),
    })
    expect(fresh.status).toBe(200)
  } finally {
    await second.close()
  }
})
