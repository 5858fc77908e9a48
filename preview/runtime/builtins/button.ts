/**
 * <button>: weui's look through its reflected attributes (type, size, disabled, loading), a form's
 * submit and reset, and the open-type actions. A disabled button still fires bindtap, as in
 * WeChat, but neither submits nor runs its open-type.
 */
import {
  COMMON_PROPERTIES,
  elementOf,
  setAttribute,
  type BuiltinContext,
  type Self,
} from './context'

export function button(context: BuiltinContext) {
  return {
    template: '<slot/>',
    properties: {
      ...COMMON_PROPERTIES,
      type: { type: String, value: 'default' },
      size: { type: String, value: 'default' },
      plain: { type: Boolean, value: false },
      disabled: { type: Boolean, value: false },
      loading: { type: Boolean, value: false },
      formType: { type: String, value: '' },
      openType: { type: String, value: '' },
      hoverClass: { type: String, value: 'button-hover' },
      lang: { type: String, value: 'en' },
      phoneNumberNoQuotaToast: { type: Boolean, value: true },
    },
    observers: {
      // A button as assistive technology knows one: focusable, its disabled state announced.
      disabled(this: Self, disabled: boolean) {
        setAttribute(elementOf(this), 'aria-disabled', disabled ? 'true' : '')
      },
    },
    lifetimes: {
      attached(this: Self) {
        const element = elementOf(this)
        if (!element.hasAttribute('role')) element.setAttribute('role', 'button')
        element.tabIndex = 0
        this._exparserNode.addListener('tap', () => {
          const { disabled, loading, formType, openType } = this.data
          if (disabled || loading) return
          if (formType === 'submit' || formType === 'reset') {
            const event = formType === 'submit' ? 'formSubmit' : 'formReset'
            this.triggerEvent(event, {}, { bubbles: true })
          }
          if (typeof openType === 'string' && openType !== '') {
            void context.openTypes.run(openType, {
              id: this.id,
              trigger: (name, detail) => this.triggerEvent(name, detail),
            })
          }
        })
      },
    },
  }
}
