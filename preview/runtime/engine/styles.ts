/**
 * Styles as WeChat's webview applies them: wcsc's style functions write each stylesheet for a
 * class prefix, and rpx is resolved by `window.__transformRpx__` against the phone's width (and
 * again when it changes). Pages are prefixed too: WeChat gives each page its own webview, here
 * they share a document.
 */
import { adjustSheet } from './appearance'

const BASE_DEVICE_WIDTH = 750
const EPS = 1e-4

function phoneWidth(): number {
  return document.documentElement.clientWidth || window.innerWidth
}

/** WeChat's formula: floor to a pixel, and never let a non-zero rpx vanish. */
window.__transformRpx__ = (rpx, deviceWidth) => {
  if (rpx === 0) return 0
  const px = Math.floor((rpx / BASE_DEVICE_WIDTH) * (deviceWidth || phoneWidth()) + EPS)
  return px === 0 ? 1 : px
}
window.__rpxRecalculatingFuncs__ = []

const sheets = new Map<string, HTMLStyleElement>()

window.__styleSheetManager2__ = {
  addItem(key) {
    if (sheets.has(key)) return
    const style = document.createElement('style')
    style.dataset.wxss = key
    document.head.appendChild(style)
    sheets.set(key, style)
  },
  setCss(key, css) {
    const style = sheets.get(key)
    if (!style) return
    style.textContent = css
    adjustSheet(style.sheet)
  },
}

let width = 0
window.addEventListener('resize', () => {
  if (phoneWidth() === width) return
  width = phoneWidth()
  window.__rpxRecalculatingFuncs__.forEach((recalculate) => recalculate({ width }))
})

/** The class prefix of a page or component: what exparser puts before each of its classes. */
export function classPrefix(tagOrRoute: string): string {
  return tagOrRoute.replace(/[^A-Za-z0-9_-]/g, '-')
}

const applied = new Set<string>()

/** Writes a .wxss (or 'app' for app.wxss) once for a prefix; `''` means unprefixed classes. */
export function applyWxss(key: string, prefix: string): void {
  const id = `${key}:${prefix}`
  if (applied.has(id)) return
  const rewrite = window.__wxssRewriters__[key]
  if (!rewrite) return
  applied.add(id)
  rewrite(prefix ? `${prefix}--` : '', {})
}
