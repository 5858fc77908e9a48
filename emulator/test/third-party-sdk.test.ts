import { EMULATOR_APPID, EMULATOR_SECRET } from '..'
import { CacheInterface, MiniApp } from 'node-easywechat'
import { startEmulator } from '../server'
import { startServer } from '../../server/src'
import { OFFICIAL } from '../../common/test/support/official-vectors'
import { wechatCall } from '../../server/test/support/wechat-call'

// A widely used third-party SDK (node-easywechat, the Node port of EasyWeChat) driving the
// emulator with its own request code: all it is told is WeChat's base URL, through its documented
// `http` option (axios's request config, so `http.baseURL`). What works here works for a backend
// built on it, or on any SDK that lets its base URL be set.

/** The SDK keeps its access token in files by default; its documented seam takes any cache. */
class MemoryCache extends CacheInterface {
  private readonly values = new Map<string, { data: unknown; until: number }>()

  override async get(key: string): Promise<unknown> {
    const entry = this.values.get(key)
    return entry && Date.now() < entry.until ? entry.data : null
  }

  override async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== null
  }

  override async set(key: string, data: unknown = null, lifetime = 0): Promise<boolean> {
    this.values.set(key, { data, until: lifetime > 0 ? Date.now() + lifetime * 1000 : Infinity })
    return true
  }

  override async delete(key: string): Promise<boolean> {
    return this.values.delete(key)
  }
}

interface Target {
  /** WeChat's base URL, as the SDK is given it. */
  baseURL: string
  control<T>(route: string, json?: unknown): Promise<T>
  close(): Promise<void>
}

function targetAt(baseURL: string, close: () => Promise<void>): Target {
  return {
    baseURL,
    close,
    async control<T>(route: string, json: unknown = {}) {
      const reply = await wechatCall(baseURL, 'POST', `control/${route}`, { json })
      if (reply.status !== 200) throw new Error(`control/${route}: ${JSON.stringify(reply.body)}`)
      return reply.body as T
    },
  }
}

const targets: [string, () => Promise<Target>][] = [
  [
    'the standalone emulator',
    async () => {
      const running = await startEmulator({
        host: '127.0.0.1',
        port: 0,
        mode: 'strict',
        appid: EMULATOR_APPID,
        secret: EMULATOR_SECRET,
      })
      return targetAt(`${running.url}/`, running.close)
    },
  ],
  [
    'the server’s /__wechat mount',
    async () => {
      const server = await startServer({ log: false })
      return targetAt(`${server.url}/__wechat/`, server.close)
    },
  ],
]

function sdk(baseURL: string, options: { stable?: boolean } = {}): MiniApp {
  const app = new MiniApp({
    app_id: EMULATOR_APPID,
    secret: EMULATOR_SECRET,
    use_stable_access_token: options.stable ?? false,
    http: { baseURL },
  })
  app.setCache(new MemoryCache())
  return app
}

describe.each(targets)('node-easywechat against %s', (_name, start) => {
  let target: Target

  beforeAll(async () => {
    target = await start()
  })

  afterAll(async () => {
    await target.close()
  })

  const tokenCalls = async () => {
    const stats = await wechatCall(target.baseURL, 'GET', 'control/stats')
    return stats.body.calls as Record<string, number>
  }

  it('redeems a login code once with code2Session', async () => {
    const { code, openid } = await target.control<{ code: string; openid: string }>('login', {
      unionid: 'oUnionSdk',
    })
    const utils = sdk(target.baseURL).getUtils()
    const session = await utils.codeToSession(code)
    expect(session).toEqual({ openid, unionid: 'oUnionSdk', session_key: expect.any(String) })
    expect(Buffer.from(session.session_key, 'base64')).toHaveLength(16)
    await expect(utils.codeToSession(code)).rejects.toThrow(/"errcode":40163/)
  })

  it.each([
    ['the classic token (its default)', false, { token: 1, stable_token: 0 }],
    ['stable_token (use_stable_access_token)', true, { token: 0, stable_token: 1 }],
  ])(
    'asks for phone numbers by code with %s, one token for every call',
    async (_case, stable, calls) => {
      await target.control('reset')
      const { openid } = await target.control<{ openid: string }>('login')
      const client = sdk(target.baseURL, { stable }).getClient()
      for (const phoneNumber of ['2025550123', '2025550124']) {
        const phone = await target.control<{ code: string }>('phone', {
          openid,
          phoneNumber,
          countryCode: '1',
        })
        const answer = await client.postJson('wxa/business/getuserphonenumber', {
          code: phone.code,
          openid,
        })
        expect(answer.toObject()).toEqual({
          errcode: 0,
          errmsg: 'ok',
          phone_info: {
            phoneNumber: `+1${phoneNumber}`,
            purePhoneNumber: phoneNumber,
            countryCode: 1,
            watermark: { appid: EMULATOR_APPID, timestamp: expect.any(Number) },
          },
        })
      }
      expect(await tokenCalls()).toMatchObject({ ...calls, getuserphonenumber: 2 })
    },
  )

  it('decrypts the emulator’s payloads with the session_key code2Session gave it', async () => {
    const { code, openid } = await target.control<{ code: string; openid: string }>('login')
    const app = sdk(target.baseURL)
    const { session_key: sessionKey } = await app.getUtils().codeToSession(code)
    const phone = await target.control<{ encryptedData: string; iv: string }>('phone', { openid })
    expect(app.getUtils().decryptSession(sessionKey, phone.iv, phone.encryptedData)).toEqual({
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
      watermark: { appid: EMULATOR_APPID, timestamp: expect.any(Number) },
    })
    const info = await target.control<{ encryptedData: string; iv: string }>('userinfo', {
      openid,
      nickName: 'Band',
    })
    expect(app.getUtils().decryptSession(sessionKey, info.iv, info.encryptedData)).toMatchObject({
      openId: openid,
      nickName: 'Band',
      watermark: { appid: EMULATOR_APPID },
    })
  })
})

it('node-easywechat decrypts WeChat’s official test vector', () => {
  const utils = sdk('http://127.0.0.1:1/').getUtils()
  expect(
    utils.decryptSession(OFFICIAL.sessionKey, OFFICIAL.iv, OFFICIAL.encryptedData),
  ).toMatchObject({
    openId: OFFICIAL.openId,
    unionId: OFFICIAL.unionId,
    watermark: { appid: OFFICIAL.appid, timestamp: OFFICIAL.timestamp },
  })
})
