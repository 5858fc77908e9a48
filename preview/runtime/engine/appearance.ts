/**
 * The phone's display settings as a page meets them: its colour scheme (the phone's dark mode, or
 * the panel's choice over it) and WeChat's font size. The scheme picks theme.json's values for the
 * `@name`s in app.json and the pages' JSON, and decides every `prefers-color-scheme` rule; the
 * font size scales every font-size, as WeChat's text-size setting does in a page's webview. The
 * phone's own chrome (status and navigation bar) keeps its size.
 */
import { readSettings } from '../../shared/state'

export type Theme = 'light' | 'dark'

export function currentTheme(): Theme {
  const { colorScheme } = readSettings()
  if (colorScheme !== 'system') return colorScheme
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** A window or page JSON with its `@name` values taken from theme.json for the current scheme. */
export function resolveTheme<T extends object>(
  json: T,
  theme: { light?: Record<string, string>; dark?: Record<string, string> },
): T {
  const values = theme[currentTheme()] ?? {}
  const resolved: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(json)) {
    const name = typeof value === 'string' && value.startsWith('@') ? value.slice(1) : null
    resolved[key] = name !== null && name in values ? values[name] : value
  }
  return resolved as T
}

const SCHEME_QUERY = /\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/g
/** Media conditions that always and never hold, for a forced scheme. */
const ALWAYS = '(min-width: 0px)'
const NEVER = '(min-width: 100000px)'

const mediaTexts = new WeakMap<CSSMediaRule, string>()
const fontSizes = new WeakMap<CSSStyleRule, string>()

function adjustRules(rules: CSSRuleList, forced: Theme | null, scale: number): void {
  for (const rule of Array.from(rules)) {
    if (rule instanceof CSSMediaRule) {
      const original = mediaTexts.get(rule) ?? rule.media.mediaText
      mediaTexts.set(rule, original)
      if (forced && SCHEME_QUERY.test(original)) {
        SCHEME_QUERY.lastIndex = 0
        rule.media.mediaText = original.replace(SCHEME_QUERY, (_, scheme: string) =>
          scheme === forced ? ALWAYS : NEVER,
        )
      }
      SCHEME_QUERY.lastIndex = 0
      adjustRules(rule.cssRules, forced, scale)
    } else if (rule instanceof CSSStyleRule) {
      useSystemFont(rule)
      if (scale !== 1) scaleFont(rule, scale)
    }
  }
}

/**
 * The phone's system font, which weui asks for (`system-ui`): PingFang SC on an iPhone, Noto
 * Sans SC on this preview's phone (a desktop's system-ui has no Chinese glyphs).
 */
const SYSTEM_FONT = /(^|,\s*)system-ui(?=\s*(,|$))/

function useSystemFont(rule: CSSStyleRule): void {
  const family = rule.style.fontFamily
  if (SYSTEM_FONT.test(family)) {
    rule.style.fontFamily = family.replace(SYSTEM_FONT, "$1'PingFang SC', 'Noto Sans SC'")
  }
}

function scaleFont(rule: CSSStyleRule, scale: number): void {
  const original = fontSizes.get(rule) ?? rule.style.fontSize
  fontSizes.set(rule, original)
  const px = /^([\d.]+)px$/.exec(original)
  if (px) {
    const priority = rule.style.getPropertyPriority('font-size')
    rule.style.setProperty('font-size', `${Number(px[1]) * scale}px`, priority)
  }
}

/** Applies the settings to one stylesheet: at launch, and whenever a stylesheet is (re)written. */
export function adjustSheet(sheet: CSSStyleSheet | null): void {
  if (!sheet) return
  const { colorScheme, textScale } = readSettings()
  const chrome = sheet.ownerNode instanceof HTMLLinkElement && /native\.css$/.test(sheet.href ?? '')
  adjustRules(sheet.cssRules, colorScheme === 'system' ? null : colorScheme, chrome ? 1 : textScale)
}

export function applyAppearance(): void {
  document.documentElement.style.colorScheme = currentTheme()
  for (const sheet of Array.from(document.styleSheets)) adjustSheet(sheet)
}
