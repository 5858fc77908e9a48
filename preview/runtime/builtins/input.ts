/**
 * <input>: a native input inside wx-input, its value a form field. type="nickname" (2.21.2) is
 * checked by WeChat when it loses focus (2.24.4), reported by bindnicknamereview (2.29.1); the
 * preview's check passes every nickname.
 */
import { BEHAVIOUR_SINCE, atLeast, available } from '../wx/versions'
import { readAccount } from '../../shared/state'
import { COMMON_PROPERTIES, EMPTY_TEMPLATE, elementOf, setAttribute, type Self } from './context'

const natives = new WeakMap<object, HTMLInputElement>()

function nativeOf(self: Self): HTMLInputElement | undefined {
  return natives.get(self._exparserNode)
}

function sync(self: Self): void {
  const input = nativeOf(self)
  if (!input) return
  const { value, placeholder, disabled, maxlength, password, type, ariaLabel } = self.data
  setAttribute(input, 'aria-label', String(ariaLabel ?? ''))
  const text = value === undefined || value === null ? '' : String(value)
  if (input.value !== text) input.value = text
  input.placeholder = String(placeholder ?? '')
  input.disabled = disabled === true
  const max = Number(maxlength)
  if (max >= 0) input.maxLength = max
  else input.removeAttribute('maxlength')
  input.type = password === true || type === 'safe-password' ? 'password' : 'text'
  input.inputMode = type === 'number' ? 'numeric' : type === 'digit' ? 'decimal' : 'text'
}

/**
 * type="nickname" from 2.21.2; from 3.4.x, until the user agreed to the privacy guideline, WeChat
 * silently renders a plain text input instead (no nickname keyboard, no review), without asking.
 */
function nicknameWorks(): boolean {
  if (!available('input.type.nickname')) return false
  const asksFirst =
    atLeast(BEHAVIOUR_SINCE.nicknameNeedsAgreement) && available('getPrivacySetting')
  return !asksFirst || readAccount().privacyAgreed
}

export function input() {
  return {
    template: EMPTY_TEMPLATE,
    behaviors: ['wx://form-field'],
    properties: {
      ...COMMON_PROPERTIES,
      type: { type: String, value: 'text' },
      password: { type: Boolean, value: false },
      placeholder: { type: String, value: '' },
      placeholderStyle: { type: String, value: '' },
      placeholderClass: { type: String, value: 'input-placeholder' },
      disabled: { type: Boolean, value: false },
      maxlength: { type: Number, value: 140 },
      focus: { type: Boolean, value: false },
      confirmType: { type: String, value: 'done' },
    },
    observers: {
      'value, placeholder, disabled, maxlength, password, type, ariaLabel'(this: Self) {
        sync(this)
      },
    },
    lifetimes: {
      attached(this: Self) {
        const input = document.createElement('input')
        input.className = 'wx-input__native'
        natives.set(this._exparserNode, input)
        elementOf(this).appendChild(input)
        sync(this)
        input.addEventListener('input', () => {
          this.setData({ value: input.value })
          this.triggerEvent('input', {
            value: input.value,
            cursor: input.selectionStart ?? 0,
            keyCode: 0,
          })
        })
        input.addEventListener('focus', () =>
          this.triggerEvent('focus', { value: input.value, height: 0 }),
        )
        input.addEventListener('blur', () => {
          this.triggerEvent('blur', { value: input.value, cursor: input.selectionStart ?? 0 })
          if (this.data.type !== 'nickname' || !nicknameWorks()) return
          if (atLeast(BEHAVIOUR_SINCE.nicknameCheck) && available('input.bindnicknamereview')) {
            this.triggerEvent('nicknamereview', { pass: true, timeout: false })
          }
        })
        input.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') this.triggerEvent('confirm', { value: input.value })
        })
        if (this.data.focus === true) input.focus()
      },
    },
  }
}
