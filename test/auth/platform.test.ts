/**
 * The wx adapter of the seam: each wx.* callback turned into a promise, and WeChat's failures into
 * AuthErrors. A stub wx answers at once; the rest of the auth module is tested on a fake Platform.
 */
import { wxPlatform } from '../../miniprogram/auth/platform'

type Callbacks = {
  success?: (res: object) => void
  fail?: (err: { errMsg: string }) => void
}

/** A wx whose async APIs answer through `answer`; everything else as a 3.x base library. */
function stubWx(answer: (api: string, options: Callbacks & Record<string, unknown>) => void) {
  const asyncApi = (api: string) => (options: Callbacks & Record<string, unknown>) =>
    answer(api, options)
  ;(globalThis as unknown as { wx: object }).wx = {
    login: asyncApi('login'),
    checkSession: asyncApi('checkSession'),
    request: asyncApi('request'),
    uploadFile: asyncApi('uploadFile'),
    getAppBaseInfo: () => ({ SDKVersion: '3.4.0' }),
    canIUse: () => true,
  }
}

describe('wx.request', () => {
  it('hands over the status and the body, parsed when it is JSON text', async () => {
    const seen: Array<Record<string, unknown>> = []
    stubWx((_api, options) => {
      seen.push(options)
      options.success?.({ statusCode: 201, data: '{"ok":true}' })
    })
    const answer = await wxPlatform().request({
      url: 'https://api.example.test/api/things',
      method: 'POST',
      header: { Authorization: 'Bearer t' },
      data: { a: 1 },
      timeoutMs: 1234,
    })
    expect(answer).toEqual({ statusCode: 201, data: { ok: true } })
    expect(seen[0]).toMatchObject({
      url: 'https://api.example.test/api/things',
      method: 'POST',
      header: { Authorization: 'Bearer t' },
      data: { a: 1 },
      timeout: 1234,
    })
  })

  it('keeps a body that is not JSON as text', async () => {
    stubWx((_api, options) => options.success?.({ statusCode: 502, data: '<html>Bad Gateway' }))
    await expect(
      wxPlatform().request({ url: 'u', method: 'GET', header: {}, timeoutMs: 1 }),
    ).resolves.toEqual({ statusCode: 502, data: '<html>Bad Gateway' })
  })

  it.each([
    ['request:fail timeout', 'TIMEOUT'],
    ['request:fail time out', 'TIMEOUT'],
    ['request:fail interrupted', 'NETWORK_ERROR'],
    ['request:fail url not in domain list', 'NETWORK_ERROR'],
  ])('"%s" becomes %s', async (errMsg, code) => {
    stubWx((_api, options) => options.fail?.({ errMsg }))
    await expect(
      wxPlatform().request({ url: 'u', method: 'GET', header: {}, timeoutMs: 1 }),
    ).rejects.toMatchObject({ code, status: 0, message: errMsg })
  })
})

describe('wx.uploadFile', () => {
  it('parses the text body WeChat hands over', async () => {
    stubWx((_api, options) => options.success?.({ statusCode: 200, data: '{"avatarUrl":"a"}' }))
    await expect(
      wxPlatform().uploadFile({
        url: 'u',
        filePath: 'f',
        name: 'avatar',
        header: {},
        timeoutMs: 1,
      }),
    ).resolves.toEqual({ statusCode: 200, data: { avatarUrl: 'a' } })
  })
})

describe('wx.login', () => {
  it('resolves with the code, passing the timeout on', async () => {
    const seen: Array<Record<string, unknown>> = []
    stubWx((_api, options) => {
      seen.push(options)
      options.success?.({ code: 'c1', errMsg: 'login:ok' })
    })
    await expect(wxPlatform().login(500)).resolves.toBe('c1')
    expect(seen[0].timeout).toBe(500)
  })

  it('a success without a code, or a failure, is WX_LOGIN_FAILED', async () => {
    stubWx((_api, options) => options.success?.({ code: '', errMsg: 'login:ok' }))
    await expect(wxPlatform().login(1)).rejects.toMatchObject({ code: 'WX_LOGIN_FAILED' })
    stubWx((_api, options) => options.fail?.({ errMsg: 'login:fail system error' }))
    await expect(wxPlatform().login(1)).rejects.toMatchObject({
      code: 'WX_LOGIN_FAILED',
      message: 'login:fail system error',
    })
  })

  it.each([
    ['login:fail network error', 'NETWORK_ERROR'],
    ['login:fail net::ERR_INTERNET_DISCONNECTED', 'NETWORK_ERROR'],
    ['login:fail timeout', 'TIMEOUT'],
  ])(
    'a failure for want of network (%s) is %s: the user is told to check it',
    async (errMsg, code) => {
      stubWx((_api, options) => options.fail?.({ errMsg }))
      await expect(wxPlatform().login(1)).rejects.toMatchObject({ code, transient: true })
    },
  )
})

it('wx.checkSession: success is a live session_key, failure an expired one', async () => {
  stubWx((_api, options) => options.success?.({ errMsg: 'checkSession:ok' }))
  await expect(wxPlatform().checkSession()).resolves.toBe(true)
  stubWx((_api, options) => options.fail?.({ errMsg: 'checkSession:fail session time out' }))
  await expect(wxPlatform().checkSession()).resolves.toBe(false)
})
