import { createConfig } from '../miniprogram/auth/config'
import { BASE_URLS } from '../miniprogram/config'
import { FakeWx } from './support/fake-wx'

describe('the backend is picked by the build WeChat reports', () => {
  it.each([
    ['develop', 'http://127.0.0.1:3000'],
    ['trial', BASE_URLS.trial],
    ['release', BASE_URLS.release],
  ] as const)('%s → %s', (envVersion, baseUrl) => {
    new FakeWx({ envVersion }).install()
    expect(createConfig({ baseUrls: BASE_URLS }).baseUrl).toBe(baseUrl)
  })

  it('never guesses production when the account info cannot be read', () => {
    ;(globalThis as unknown as { wx: object }).wx = {
      getAccountInfoSync: () => {
        throw new Error('not in WeChat')
      },
    }
    expect(createConfig({ baseUrls: BASE_URLS }).baseUrl).toBe('http://127.0.0.1:3000')
  })

  it('keeps endpoint paths and the token header in the same place, overridable', () => {
    new FakeWx().install()
    const config = createConfig({ baseUrls: BASE_URLS, tokenHeader: 'X-Token', tokenScheme: '' })
    expect(config.endpoints).toEqual({
      login: '/api/auth/login',
      logout: '/api/auth/logout',
      logoutAll: '/api/auth/logout-all',
      phone: '/api/auth/phone',
      userInfo: '/api/auth/userinfo',
      me: '/api/me',
      profile: '/api/me/profile',
      avatar: '/api/me/avatar',
      unbindPhone: '/api/me/phone',
      export: '/api/me/export',
    })
    // A backend whose paths differ names only those: the others stay the contract's.
    const own = createConfig({ baseUrls: BASE_URLS, endpoints: { login: '/v2/login' } })
    expect(own.endpoints).toEqual({ ...config.endpoints, login: '/v2/login' })
    expect([config.tokenHeader, config.tokenScheme]).toEqual(['X-Token', ''])
    expect([
      createConfig({ baseUrls: BASE_URLS }).tokenHeader,
      createConfig({ baseUrls: BASE_URLS }).tokenScheme,
    ]).toEqual(['Authorization', 'Bearer'])
  })
})
