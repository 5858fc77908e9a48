import { authOn, FakePlatform, forbidRealTimers, USER } from '../support/fake-platform'
import { normalizeNickName } from '../../miniprogram/contract/nickname'
import { REFUSED_NICKNAMES, TAKEN_NICKNAMES } from '../support/nicknames'

forbidRealTimers()

describe('the nickname rule', () => {
  it.each(TAKEN_NICKNAMES)('takes %s', (_case, typed, kept) => {
    expect(normalizeNickName(typed)).toBe(kept)
  })

  it.each(REFUSED_NICKNAMES)('refuses %s', (_case, typed) => {
    expect(normalizeNickName(typed)).toBeNull()
  })
})

describe('the profile fill-in checks it before any request', () => {
  let platform: FakePlatform

  beforeEach(() => {
    platform = new FakePlatform()
    platform.storeSession()
    platform.backend.on('PUT /api/me/profile', (req) => ({
      status: 200,
      body: { user: { ...USER, nickName: (req.body as { nickName: string }).nickName } },
    }))
  })

  it.each(TAKEN_NICKNAMES)('sends %s as the server will keep it', async (_case, typed, kept) => {
    const user = await platform.run(authOn(platform).profile.saveNickname(typed))
    expect(platform.backend.received.at(-1)?.body).toEqual({ nickName: kept })
    expect(user.nickName).toBe(kept)
  })

  it.each(REFUSED_NICKNAMES)(
    'refuses %s as NICKNAME_INVALID, sending nothing',
    async (_case, typed) => {
      await expect(
        platform.run(authOn(platform).profile.saveNickname(typed)),
      ).rejects.toMatchObject({ code: 'NICKNAME_INVALID', status: 0 })
      expect(platform.backend.count('PUT /api/me/profile')).toBe(0)
    },
  )
})
