/**
 * WeChat's built-in components styled by weui, WeChat's design language: weui's button and input
 * rules with their classes rewritten to the elements and attributes the built-ins render
 * (`.weui-btn_primary` → `wx-button[type="primary"]`), plus weui's variables and base.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import postcss, { type Root } from 'postcss'

const weuiDir = path.join(path.dirname(require.resolve('weui/package.json')), 'dist', 'style')

/** weui class → the built-in's selector. Rules naming any other weui class are left out. */
export const WEUI_TO_BUILTIN: Readonly<Record<string, string>> = {
  'weui-btn': 'wx-button',
  // Specificity 0 for the `not primary, not warn` part, so [disabled] still wins as in weui.
  'weui-btn_default': 'wx-button:where(:not([type="primary"]):not([type="warn"]))',
  'weui-btn_primary': 'wx-button[type="primary"]',
  'weui-btn_warn': 'wx-button[type="warn"]',
  'weui-btn_disabled': 'wx-button[disabled]',
  'weui-btn_loading': 'wx-button[loading]',
  'weui-btn_mini': 'wx-button[size="mini"]',
  'weui-input': 'wx-input',
}

const WEUI_CLASS = /\.(weui-[A-Za-z0-9_-]+)/g

/**
 * One compound selector (no combinator): its weui classes become the built-in's element and
 * attributes. null when it names a weui class without a built-in, or two different elements
 * (`button.weui-btn`).
 */
function mapCompound(compound: string): string | null {
  const leading = /^[A-Za-z][\w-]*/.exec(compound)?.[0] ?? ''
  const elements = new Set(leading ? [leading] : [])
  let unknown = false
  const rest = compound.slice(leading.length).replace(WEUI_CLASS, (_, name: string) => {
    const target = WEUI_TO_BUILTIN[name]
    if (target === undefined) {
      unknown = true
      return ''
    }
    const element = /^[\w-]+/.exec(target)?.[0] ?? ''
    elements.add(element)
    return target.slice(element.length)
  })
  if (unknown || elements.size > 1) return null
  return [...elements].join('') + rest
}

/** A selector, compound by compound; `:not(...)` is mapped as a selector of its own. */
function mapSelector(selector: string): string | null {
  let failed = false
  const inner = selector.replace(/:not\(([^()]*)\)/g, (_, list: string) => {
    const mapped = mapSelector(list)
    if (mapped === null) failed = true
    return `:not(${mapped})`
  })
  if (failed) return null
  // Combinators at the top level (weui's attribute values hold no spaces or combinators).
  const parts = inner.split(/(\s*[>+~]\s*|\s+)/)
  const mapped = parts.map((part, i) => (i % 2 === 1 ? part : mapCompound(part)))
  return mapped.includes(null) ? null : mapped.join('')
}

/** Keeps variables and base rules as they are, maps the widget's rules, drops the rest. */
function mapWidget(root: Root, keepUnmapped: boolean): void {
  root.walkRules((rule) => {
    if (!WEUI_CLASS.test(rule.selector)) {
      WEUI_CLASS.lastIndex = 0
      if (!keepUnmapped) rule.remove()
      return
    }
    WEUI_CLASS.lastIndex = 0
    const selectors = rule.selectors.map(mapSelector).filter((s): s is string => s !== null)
    if (selectors.length === 0) rule.remove()
    else rule.selectors = selectors
  })
  root.walkAtRules((atRule) => {
    if (atRule.nodes && atRule.nodes.length === 0) atRule.remove()
  })
}

function read(relative: string): Root {
  const file = path.join(weuiDir, relative)
  return postcss.parse(fs.readFileSync(file, 'utf8'), { from: file })
}

/** weui's base (variables, reset) and its button and input, mapped onto the built-ins. */
export function weuiForBuiltins(): string {
  const base = read('base/base.min.css')
  mapWidget(base, true)
  const widgets = [
    'widget/weui-button/weui-button.min.css',
    'widget/weui-cell/weui-cell-form.min.css',
  ]
  const mapped = widgets.map((file) => {
    const root = read(file)
    // The widget files repeat the base variables; only their mapped rules are new.
    mapWidget(root, false)
    return root.toString()
  })
  return [base.toString(), ...mapped].join('\n')
}

/** weui as it is, for the preview's own native UI (toasts, dialogs, half-screen sheets). */
export function weuiWidgets(): string {
  const files = [
    'icon/weui-icon.min.css',
    'widget/weui-tips/weui-mask.min.css',
    'widget/weui-tips/weui-toast.min.css',
    'widget/weui-tips/weui-dialog.min.css',
    'widget/weui-tips/weui-half-screen-dialog.min.css',
    'widget/weui-tips/weui-actionsheet.min.css',
    'widget/weui-loading/weui-loading.min.css',
    'widget/weui-button/weui-button.min.css',
  ]
  return files.map((file) => fs.readFileSync(path.join(weuiDir, file), 'utf8')).join('\n')
}
