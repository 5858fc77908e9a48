/** What WeChat's built-in components reach beyond themselves: the open-type actions, the router. */
import type { ExparserNode } from '../engine/exparser'
import type { OpenTypes } from '../wx/open-type'
import type { Privacy } from '../wx/privacy'

export interface BuiltinContext {
  openTypes: OpenTypes
  privacy: Privacy
  /** navigator's open-type: navigate, redirect, reLaunch, navigateBack, switchTab. */
  navigate(openType: string, url: string, delta: number): void
}

/** `this` in a built-in's lifetimes and methods: j-component's method caller. */
export interface Self {
  id: string
  data: Record<string, unknown>
  _exparserNode: ExparserNode & {
    addListener(event: string, handler: (event: { detail: unknown }) => void): void
  }
  setData(data: Record<string, unknown>): void
  triggerEvent(name: string, detail?: unknown, options?: object): void
}

/**
 * Every built-in can be hidden, and carries WeChat's accessibility attributes: aria-label and
 * aria-hidden land on its element as they are (reflected), aria-role as the element's role.
 */
export const COMMON_PROPERTIES = {
  hidden: { type: Boolean, value: false },
  ariaRole: { type: String, value: '' },
  ariaLabel: { type: String, value: '' },
  ariaHidden: { type: String, value: '' },
}

/** Writes an attribute, or removes it when there is no value. */
export function setAttribute(element: HTMLElement, name: string, value: string): void {
  if (value) element.setAttribute(name, value)
  else element.removeAttribute(name)
}

export function elementOf(self: Self): HTMLElement {
  const element = self._exparserNode.$$
  if (!element) throw new Error('a built-in component without its element')
  return element
}

/** A shadow tree with nothing in it, in wcc's output shape (j-component rejects an empty string). */
export const EMPTY_TEMPLATE = () => ({ tag: 'wx-page', attr: {}, children: [] })
