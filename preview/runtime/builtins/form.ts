/** <form>: on a submit button's tap, the values of its named fields (wx://form-field). */
import { exparser, type ExparserNode } from '../engine/exparser'
import { COMMON_PROPERTIES, type Self } from './context'

function fields(node: ExparserNode, found: ExparserNode[] = []): ExparserNode[] {
  const formField = (globalThis as unknown as { wxFormField: unknown }).wxFormField
  for (const child of node.childNodes) {
    if (!(child instanceof exparser.Element)) continue
    if (child instanceof exparser.Component && child.hasBehavior(formField)) found.push(child)
    fields(child, found)
  }
  return found
}

function dataOf(node: ExparserNode): Record<string, unknown> {
  return (exparser.Element.getMethodCaller(node) as { data: Record<string, unknown> }).data
}

export function form() {
  return {
    template: '<slot/>',
    properties: { ...COMMON_PROPERTIES, reportSubmit: { type: Boolean, value: false } },
    lifetimes: {
      attached(this: Self) {
        const node = this._exparserNode
        node.addListener('formSubmit', () => {
          const value: Record<string, unknown> = {}
          for (const field of fields(node)) {
            const { name, value: fieldValue } = dataOf(field)
            if (typeof name === 'string' && name !== '') value[name] = fieldValue
          }
          this.triggerEvent('submit', { value })
        })
        node.addListener('formReset', () => {
          for (const field of fields(node)) {
            ;(exparser.Element.getMethodCaller(field) as Self).setData({ value: '' })
          }
          this.triggerEvent('reset', {})
        })
      },
    },
  }
}
