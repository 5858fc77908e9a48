/**
 * What WeChat draws itself, above the page: toasts, the loading toast, modals, action sheets, the
 * half-screen sheets where the user allows or refuses (phone number, user info), WeChat's own
 * privacy popup and the privacy guideline. Built from weui, WeChat's design language. Buttons
 * carry `preview-` ids, apart from the mini-program's own.
 */

let layer: HTMLElement

export function mountOverlays(element: HTMLElement): void {
  layer = element
}

function html(tag: string, className: string, text?: string): HTMLElement {
  const element = document.createElement(tag)
  element.className = className
  if (text !== undefined) element.textContent = text
  return element
}

function button(id: string, className: string, text: string, onTap: () => void): HTMLElement {
  const element = html('a', className, text)
  element.id = id
  element.setAttribute('role', 'button')
  element.addEventListener('click', onTap)
  return element
}

// ---- Toast and loading ------------------------------------------------------------------------

let toast: { element: HTMLElement; timer: number; loading: boolean } | null = null

export type ToastIcon = 'success' | 'error' | 'loading' | 'none'

export function showToast(title: string, icon: ToastIcon, durationMs: number, mask: boolean): void {
  hideToast()
  const wrapper = html('div', 'weui-toast__wrp')
  wrapper.id = 'preview-toast'
  if (mask) wrapper.appendChild(html('div', 'weui-mask_transparent'))
  const box = html('div', icon === 'none' ? 'weui-toast weui-toast_text' : 'weui-toast')
  if (icon === 'success') box.appendChild(html('i', 'weui-icon-success-no-circle weui-icon_toast'))
  if (icon === 'error') box.appendChild(html('i', 'weui-icon-warn weui-icon_toast'))
  if (icon === 'loading') {
    const spinner = html('span', 'weui-primary-loading weui-icon_toast')
    spinner.appendChild(html('span', 'weui-primary-loading__dot'))
    box.appendChild(spinner)
  }
  box.appendChild(html('p', 'weui-toast__content', title))
  wrapper.appendChild(box)
  layer.appendChild(wrapper)
  const timer = icon === 'loading' ? 0 : window.setTimeout(hideToast, durationMs)
  toast = { element: wrapper, timer, loading: icon === 'loading' }
}

export function hideToast(): void {
  if (!toast) return
  clearTimeout(toast.timer)
  toast.element.remove()
  toast = null
}

/** hideLoading hides only a loading toast, as WeChat's does. */
export function hideLoading(): void {
  if (toast?.loading) hideToast()
}

// ---- Modal and action sheet -------------------------------------------------------------------

export interface ModalOptions {
  title: string
  content: string
  showCancel: boolean
  cancelText: string
  confirmText: string
  confirmColor?: string
}

export function showModal(options: ModalOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const root = html('div', 'preview-modal')
    root.appendChild(html('div', 'weui-mask'))
    const dialog = html('div', 'weui-dialog')
    if (options.title) {
      const hd = html('div', 'weui-dialog__hd')
      hd.appendChild(html('strong', 'weui-dialog__title', options.title))
      dialog.appendChild(hd)
    }
    if (options.content) dialog.appendChild(html('div', 'weui-dialog__bd', options.content))
    const ft = html('div', 'weui-dialog__ft')
    const close = (confirm: boolean) => {
      root.remove()
      resolve(confirm)
    }
    if (options.showCancel) {
      ft.appendChild(
        button(
          'preview-modal-cancel',
          'weui-dialog__btn weui-dialog__btn_default',
          options.cancelText,
          () => close(false),
        ),
      )
    }
    const confirm = button(
      'preview-modal-confirm',
      'weui-dialog__btn weui-dialog__btn_primary',
      options.confirmText,
      () => close(true),
    )
    if (options.confirmColor) confirm.style.color = options.confirmColor
    ft.appendChild(confirm)
    dialog.appendChild(ft)
    root.appendChild(dialog)
    layer.appendChild(root)
  })
}

/** The index tapped, or null when cancelled. */
export function showActionSheet(items: string[], title?: string): Promise<number | null> {
  return new Promise((resolve) => {
    const root = html('div', 'preview-actionsheet')
    const close = (index: number | null) => {
      root.remove()
      resolve(index)
    }
    const mask = html('div', 'weui-mask')
    mask.addEventListener('click', () => close(null))
    root.appendChild(mask)
    const sheet = html('div', 'weui-actionsheet weui-actionsheet_toggle')
    if (title) {
      const hd = html('div', 'weui-actionsheet__title')
      hd.appendChild(html('p', 'weui-actionsheet__title-text', title))
      sheet.appendChild(hd)
    }
    const menu = html('div', 'weui-actionsheet__menu')
    items.forEach((item, index) =>
      menu.appendChild(
        button(`preview-actionsheet-${index}`, 'weui-actionsheet__cell', item, () => close(index)),
      ),
    )
    sheet.appendChild(menu)
    const action = html('div', 'weui-actionsheet__action')
    action.appendChild(
      button('preview-actionsheet-cancel', 'weui-actionsheet__cell', '取消', () => close(null)),
    )
    sheet.appendChild(action)
    root.appendChild(sheet)
    layer.appendChild(root)
  })
}

// ---- Half-screen sheets ----------------------------------------------------------------------

export interface SheetOptions {
  /** Who asks: the mini-program's name. */
  app: string
  title: string
  rows: string[]
  allowText: string
  denyText: string
  /** Distinguishes the sheets for tools: `preview-${kind}-sheet`. */
  kind: string
}

/** A half-screen sheet WeChat shows before it hands anything over: true when allowed. */
export function askInSheet(options: SheetOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const root = html('div', 'preview-sheet')
    root.id = `preview-${options.kind}-sheet`
    root.appendChild(html('div', 'weui-mask'))
    const sheet = html('div', 'weui-half-screen-dialog')
    const hd = html('div', 'weui-half-screen-dialog__hd')
    const main = html('div', 'weui-half-screen-dialog__hd__main')
    main.appendChild(html('strong', 'weui-half-screen-dialog__title', `${options.app} 申请`))
    hd.appendChild(main)
    sheet.appendChild(hd)
    const bd = html('div', 'weui-half-screen-dialog__bd')
    bd.appendChild(html('p', 'preview-sheet__title', options.title))
    for (const row of options.rows) bd.appendChild(html('p', 'preview-sheet__row', row))
    sheet.appendChild(bd)
    const ft = html('div', 'weui-half-screen-dialog__ft')
    const area = html('div', 'weui-half-screen-dialog__btn-area')
    const close = (allowed: boolean) => {
      root.remove()
      resolve(allowed)
    }
    area.appendChild(
      button('preview-sheet-deny', 'weui-btn weui-btn_default', options.denyText, () =>
        close(false),
      ),
    )
    area.appendChild(
      button('preview-sheet-allow', 'weui-btn weui-btn_primary', options.allowText, () =>
        close(true),
      ),
    )
    ft.appendChild(area)
    sheet.appendChild(ft)
    root.appendChild(sheet)
    layer.appendChild(root)
  })
}

/** WeChat's own privacy popup, for an app that registered no onNeedPrivacyAuthorization. */
export function askPrivacy(
  app: string,
  contractName: string,
  openContract: () => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const root = html('div', 'preview-sheet')
    root.id = 'preview-privacy-popup'
    root.appendChild(html('div', 'weui-mask'))
    const sheet = html('div', 'weui-half-screen-dialog')
    const hd = html('div', 'weui-half-screen-dialog__hd')
    hd.appendChild(html('strong', 'weui-half-screen-dialog__title', `${app} 用户隐私保护提示`))
    sheet.appendChild(hd)
    const bd = html('div', 'weui-half-screen-dialog__bd')
    const text = html('p', 'preview-sheet__row', '使用前请仔细阅读')
    const link = html('a', 'preview-link', `《${contractName}》`)
    link.addEventListener('click', openContract)
    text.appendChild(link)
    bd.appendChild(text)
    sheet.appendChild(bd)
    const area = html('div', 'weui-half-screen-dialog__btn-area')
    const close = (agreed: boolean) => {
      root.remove()
      resolve(agreed)
    }
    area.appendChild(
      button('preview-privacy-disagree', 'weui-btn weui-btn_default', '拒绝', () => close(false)),
    )
    area.appendChild(
      button('preview-privacy-agree', 'weui-btn weui-btn_primary', '同意', () => close(true)),
    )
    const ft = html('div', 'weui-half-screen-dialog__ft')
    ft.appendChild(area)
    sheet.appendChild(ft)
    root.appendChild(sheet)
    layer.appendChild(root)
  })
}

/** The privacy guideline, as WeChat opens it over the mini-program. */
export function showContract(contractName: string, declared: string[]): Promise<void> {
  return new Promise((resolve) => {
    const root = html('div', 'preview-contract')
    root.id = 'preview-contract'
    const bar = html('div', 'preview-contract__bar')
    bar.appendChild(
      button('preview-contract-close', 'preview-contract__close', '关闭', () => {
        root.remove()
        resolve()
      }),
    )
    bar.appendChild(html('span', 'preview-contract__title', contractName))
    root.appendChild(bar)
    const body = html('div', 'preview-contract__body')
    body.appendChild(
      html('p', '', `本指引是${contractName}的说明。开发者将在获得你的同意后处理以下信息：`),
    )
    for (const item of declared) body.appendChild(html('p', 'preview-contract__item', item))
    body.appendChild(
      html(
        'p',
        'preview-hint',
        '（预览中的示例文字；真实内容来自小程序管理后台的用户隐私保护指引。）',
      ),
    )
    root.appendChild(body)
    layer.appendChild(root)
  })
}
