/**
 * What the preview keeps in the browser's localStorage, shared by the panel and the phone:
 * the situation picked in the panel, the WeChat account the phone is signed in with, and the
 * mini-program's own storage (wx.setStorageSync), each under its own prefix.
 */

/** Base libraries that sit on either side of the app's gates (README, "Base-library gates"). */
export const BASE_LIBRARIES = ['2.20.0', '2.21.2', '2.24.4', '2.32.3', '2.33.1', '3.4.1'] as const

/** How WeChat answers a tap on the phone-number button, before the user is asked. */
export type PhoneAccess = 'allowed' | 'no-permission' | 'quota-exhausted' | 'blocked'

/** How WeChat answers wx.login for this user: a code, or errno 1402101 (login blocked). */
export type LoginAccess = 'allowed' | 'blocked'

/** The phone's dark mode: as the system (the browser) says, or forced by the panel. */
export type ColorScheme = 'system' | 'light' | 'dark'

export interface Settings {
  sdkVersion: string
  phoneAccess: PhoneAccess
  loginAccess: LoginAccess
  colorScheme: ColorScheme
  textScale: number
  /** The phone has no network: wx.request, wx.uploadFile and wx.login fail. */
  offline: boolean
  /** The emulator answers WeChat's API with errcode -1 (set in the emulator, shown here). */
  wechatBusy: boolean
}

export const DEFAULT_SETTINGS: Settings = {
  sdkVersion: BASE_LIBRARIES[BASE_LIBRARIES.length - 1],
  phoneAccess: 'allowed',
  loginAccess: 'allowed',
  colorScheme: 'system',
  textScale: 1,
  offline: false,
  wechatBusy: false,
}

/** WeChat's side of the user: who they are and what they told WeChat. */
export interface Account {
  openid: string
  /** The number bound to the WeChat account, offered by the phone-number sheet. */
  phoneNumber: string
  privacyAgreed: boolean
  /** wx.login ran in this WeChat: wx.checkSession has a session to check. */
  loggedIn: boolean
}

const SETTINGS_KEY = 'preview:settings'
const ACCOUNT_KEY = 'preview:account'
const APP_PREFIX = 'wx:'

function read<T>(key: string): Partial<T> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<T>
  } catch {
    return {}
  }
}

export function readSettings(): Settings {
  return { ...DEFAULT_SETTINGS, ...read<Settings>(SETTINGS_KEY) }
}

export function writeSettings(patch: Partial<Settings>): Settings {
  const next = { ...readSettings(), ...patch }
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(next))
  return next
}

function newOpenid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return 'oPreview_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

const ACCOUNT_DEFAULTS = { phoneNumber: '13800138000', privacyAgreed: false, loggedIn: false }

export function readAccount(): Account {
  const stored = read<Account>(ACCOUNT_KEY)
  if (typeof stored.openid !== 'string') return writeAccount({})
  return { ...ACCOUNT_DEFAULTS, ...stored, openid: stored.openid }
}

export function writeAccount(patch: Partial<Account>): Account {
  const stored = read<Account>(ACCOUNT_KEY)
  const openid = typeof stored.openid === 'string' ? stored.openid : newOpenid()
  const next: Account = { ...ACCOUNT_DEFAULTS, ...stored, ...patch, openid }
  localStorage.setItem(ACCOUNT_KEY, JSON.stringify(next))
  return next
}

/** A new WeChat user on a new phone: a new openid, nothing agreed, nothing stored. */
export function forgetAccount(): void {
  localStorage.removeItem(ACCOUNT_KEY)
  clearAppStorage()
}

/** The mini-program's storage, as wx.getStorageSync sees it. */
export const appStorage = {
  keys(): string[] {
    const keys: string[] = []
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)
      if (key !== null && key.startsWith(APP_PREFIX)) keys.push(key.slice(APP_PREFIX.length))
    }
    return keys
  },
  get(key: string): unknown {
    const raw = localStorage.getItem(APP_PREFIX + key)
    return raw === null ? undefined : (JSON.parse(raw) as unknown)
  },
  set(key: string, value: unknown): void {
    localStorage.setItem(APP_PREFIX + key, JSON.stringify(value))
  },
  remove(key: string): void {
    localStorage.removeItem(APP_PREFIX + key)
  },
}

export function clearAppStorage(): void {
  appStorage.keys().forEach((key) => appStorage.remove(key))
}
