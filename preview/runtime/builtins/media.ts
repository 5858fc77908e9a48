/** <image>: WeChat's modes as CSS backgrounds; 320×240 unless styled, like WeChat's. */
import { COMMON_PROPERTIES, EMPTY_TEMPLATE, elementOf, type Self } from './context'

const MODES: Record<string, { size: string; position: string }> = {
  scaleToFill: { size: '100% 100%', position: '0 0' },
  aspectFit: { size: 'contain', position: 'center' },
  aspectFill: { size: 'cover', position: 'center' },
  widthFix: { size: '100% 100%', position: '0 0' },
  heightFix: { size: '100% 100%', position: '0 0' },
  top: { size: 'auto', position: 'top center' },
  bottom: { size: 'auto', position: 'bottom center' },
  center: { size: 'auto', position: 'center' },
  left: { size: 'auto', position: 'left center' },
  right: { size: 'auto', position: 'right center' },
}

const pictures = new WeakMap<object, HTMLElement>()

function show(self: Self): void {
  const picture = pictures.get(self._exparserNode)
  if (!picture) return
  const src = String(self.data.src ?? '')
  const mode = MODES[String(self.data.mode)] ?? MODES.scaleToFill
  picture.style.backgroundImage = src ? `url(${JSON.stringify(src)})` : 'none'
  picture.style.backgroundSize = mode.size
  picture.style.backgroundPosition = mode.position
  if (!src) return
  const probe = new Image()
  probe.onload = () => {
    if (self.data.mode === 'widthFix') {
      elementOf(self).style.height =
        `${(elementOf(self).clientWidth * probe.height) / probe.width}px`
    }
    self.triggerEvent('load', { width: probe.width, height: probe.height })
  }
  probe.onerror = () => self.triggerEvent('error', { errMsg: `GET ${src} failed` })
  probe.src = src
}

export function image() {
  return {
    template: EMPTY_TEMPLATE,
    properties: {
      ...COMMON_PROPERTIES,
      src: { type: String, value: '' },
      mode: { type: String, value: 'scaleToFill' },
      lazyLoad: { type: Boolean, value: false },
      showMenuByLongpress: { type: Boolean, value: false },
    },
    observers: {
      'src, mode'(this: Self) {
        show(this)
      },
    },
    lifetimes: {
      attached(this: Self) {
        const picture = document.createElement('div')
        picture.className = 'wx-image__picture'
        pictures.set(this._exparserNode, picture)
        elementOf(this).appendChild(picture)
        show(this)
      },
    },
  }
}
