/**
 * wx.setClipboardData: a privacy-covered API on WeChat (剪切板), held until the user agreed, then
 * the browser's own clipboard and WeChat's toast. The browser may refuse (no permission, the page
 * not focused): the call fails then, as a phone's would.
 */
import * as overlays from '../native/overlays'
import { WxFailure, api } from './callbacks'
import { PRIVACY_NOT_AUTHORIZED, type Privacy } from './privacy'

export function clipboardApis(privacy: Privacy) {
  return {
    setClipboardData: api('setClipboardData', async (o: { data: string }) => {
      if (!(await privacy.ask('setClipboardData'))) throw PRIVACY_NOT_AUTHORIZED
      try {
        await navigator.clipboard.writeText(o.data)
      } catch (error) {
        throw new WxFailure(`the browser refused the clipboard: ${String(error)}`)
      }
      overlays.showToast('内容已复制', 'success', 1500, false)
      return {}
    }),
  }
}
