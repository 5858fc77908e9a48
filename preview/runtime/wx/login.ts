/**
 * wx.login and wx.checkSession for the preview's WeChat user: the code comes from the emulator,
 * which the server then redeems as it would WeChat's. wx.login has no Promise style (its doc).
 */
import { WX_ERRNO } from '../../../miniprogram/auth/errno'
import { readAccount, readSettings, writeAccount } from '../../shared/state'
import { WxFailure, api } from './callbacks'
import { control } from './emulator'
import { offline } from './network'
import { BEHAVIOUR_SINCE, atLeast } from './versions'

export function loginApis() {
  return {
    login: api(
      'login',
      async ({ timeout }: { timeout?: number }) => {
        if (offline()) throw new WxFailure('network error')
        if (readSettings().loginAccess === 'blocked') {
          throw new WxFailure(
            'user is blocked',
            atLeast(BEHAVIOUR_SINCE.errno) ? WX_ERRNO.LOGIN_BLOCKED : undefined,
          )
        }
        const mint = control.login({ openid: readAccount().openid })
        const code = await (timeout === undefined
          ? mint
          : Promise.race([
              mint,
              new Promise<never>((_, reject) =>
                setTimeout(() => reject(new WxFailure('timeout')), timeout),
              ),
            ]))
        writeAccount({ loggedIn: true })
        return { code: code.code }
      },
      false,
    ),
    checkSession: api('checkSession', () => {
      if (!readAccount().loggedIn) throw new WxFailure('session time out')
      return {}
    }),
  }
}
