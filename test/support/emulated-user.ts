/**
 * A WeChat user on a phone, against the reference server: the fake wx asks the server's WeChat
 * emulator (its control API) for login codes and consent payloads, as the real WeChat would hand
 * them out, so the server can redeem and decrypt them.
 */
import { FakeWx } from './fake-wx'
import type { ControlClient } from '../../emulator/client'

let users = 0

export function emulatedUser(
  control: ControlClient,
  sdkVersion = '3.7.9',
): { wx: FakeWx; openid: string } {
  const openid = `o_user_${process.pid}_${++users}`
  const wx = new FakeWx({
    sdkVersion,
    loginCode: async () => (await control.login({ openid })).code,
    phonePayload: () => control.phone({ openid, phoneNumber: '13800138000' }),
    userInfoPayload: () =>
      control.userInfo({ openid, nickName: 'Band', avatarUrl: 'https://example.com/band.png' }),
  })
  return { wx, openid }
}
