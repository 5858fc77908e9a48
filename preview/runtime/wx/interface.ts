/** wx's interface APIs: toasts, loading, modals, action sheets, the navigation bar's title. */
import * as overlays from '../native/overlays'
import { WxFailure, api } from './callbacks'

export function interfaceApis(setTitle: (title: string) => void) {
  return {
    showToast: api(
      'showToast',
      (o: { title: string; icon?: overlays.ToastIcon; duration?: number; mask?: boolean }) => {
        overlays.showToast(o.title, o.icon ?? 'success', o.duration ?? 1500, o.mask ?? false)
        return {}
      },
    ),
    hideToast: api('hideToast', () => {
      overlays.hideToast()
      return {}
    }),
    showLoading: api('showLoading', (o: { title: string; mask?: boolean }) => {
      overlays.showToast(o.title, 'loading', 0, o.mask ?? false)
      return {}
    }),
    hideLoading: api('hideLoading', () => {
      overlays.hideLoading()
      return {}
    }),
    showModal: api(
      'showModal',
      async (o: Partial<overlays.ModalOptions> & { title?: string; content?: string }) => {
        const confirm = await overlays.showModal({
          title: o.title ?? '',
          content: o.content ?? '',
          showCancel: o.showCancel ?? true,
          cancelText: o.cancelText ?? '取消',
          confirmText: o.confirmText ?? '确定',
          confirmColor: o.confirmColor,
        })
        return { confirm, cancel: !confirm }
      },
    ),
    showActionSheet: api(
      'showActionSheet',
      async (o: { itemList: string[]; alertText?: string }) => {
        const tapIndex = await overlays.showActionSheet(o.itemList, o.alertText)
        if (tapIndex === null) throw new WxFailure('cancel')
        return { tapIndex }
      },
    ),
    setNavigationBarTitle: api('setNavigationBarTitle', (o: { title: string }) => {
      setTitle(o.title)
      return {}
    }),
  }
}
