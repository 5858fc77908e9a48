/**
 * WeChat's built-in components as exparser components, rendered as WeChat's elements (wx-button,
 * wx-input…), with the properties WeChat defines: their values land in the DOM as
 * attributes, where weui's mapped styles find them. Tags not registered here (scroll-view, swiper…)
 * still render, as plain containers of their children.
 */
import { jComponent } from '../engine/exparser'
import { button } from './button'
import { COMMON_PROPERTIES, setAttribute, type BuiltinContext, type Self } from './context'
import { form } from './form'
import { input } from './input'
import { image } from './media'

export const BUILTIN_TAGS = [
  'view',
  'text',
  'button',
  'input',
  'form',
  'image',
  'navigator',
  'block',
]

function container() {
  return { template: '<slot/>', properties: { ...COMMON_PROPERTIES } }
}

function navigator(context: BuiltinContext) {
  return {
    template: '<slot/>',
    properties: {
      ...COMMON_PROPERTIES,
      url: { type: String, value: '' },
      openType: { type: String, value: 'navigate' },
      delta: { type: Number, value: 1 },
      hoverClass: { type: String, value: 'navigator-hover' },
    },
    lifetimes: {
      attached(this: Self) {
        this._exparserNode.addListener('tap', () => {
          const { openType, url, delta } = this.data
          context.navigate(String(openType), String(url), Number(delta))
        })
      },
    },
  }
}

export function registerBuiltins(context: BuiltinContext): void {
  const definitions: Record<string, object> = {
    view: container(),
    text: container(),
    button: button(context),
    input: input(),
    form: form(),
    image: image(),
    navigator: navigator(context),
  }
  for (const [tag, definition] of Object.entries(definitions)) {
    // j-component looks a built-in up by its bare tag; its element is named as in WeChat.
    jComponent.register({ ...withRole(definition), id: tag, tagName: `wx-${tag}` })
  }
}

/** aria-role becomes the element's role, as WeChat's webview renders it. */
function withRole(definition: { observers?: object }): object {
  return {
    ...definition,
    observers: {
      ...definition.observers,
      ariaRole(this: Self, role: string) {
        const element = this._exparserNode.$$
        if (!element) return
        setAttribute(element, 'role', role)
        // Reflected as written in the template, which is no ARIA attribute.
        element.removeAttribute('aria-role')
      },
    },
  }
}
