/**
 * A WeChat user on a phone, against the reference server: the fake wx asks the server's WeChat
 * emulator (its control API) for login codes and consent payloads, as the real WeChat would hand
 * them out, so the server can redeem and decrypt them.
 */
import { FakeWx } from './fake-wx'
import type { ServerProcess } from './server-process'

let users = 0

export function emulatedUser(
  server: Pick<ServerProcess, 'call'>,
  sdkVersion = '3.7.9',
): { wx: FakeWx; openid: string } {
  const openid = `o_user_${process.pid}_${++users}`
  const control = <T>(route: string, body: object) =>
    server.call<T>('POST', `/__wechat/control/${route}`, { openid, ...body })
  const wx = new FakeWx({
    sdkVersion,
    loginCode: async () => (await control<{ code: string }>('login', {})).code,
    phonePayload: () =>
      control<{ code: string; encryptedData: string; iv: string }>('phone', {
        phoneNumber: '13800138000',
      }),
    userInfoPayload: () =>
      control<{ encryptedData: string; iv: string; rawData: string; signature: string }>(
        'userinfo',
        {
          nickName: 'Band',
          avatarUrl: 'https://example.com/band.png',
        },
      ),
  })
  return { wx, openid }
}
