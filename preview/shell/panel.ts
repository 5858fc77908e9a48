/**
 * The panel beside the phone: it sets the situation to try — on the phone (base library, the
 * phone-number button's answer, the network), on WeChat's server (the emulator's faults) and on
 * this server (its own logout route) — never flags inside the app.
 */
import { createConfig } from '../../miniprogram/auth/config'
import { BASE_URLS } from '../../miniprogram/config'
import {
  BASE_LIBRARIES,
  appStorage,
  forgetAccount,
  readSettings,
  writeAccount,
  writeSettings,
  type ColorScheme,
  type LoginAccess,
  type PhoneAccess,
} from '../shared/state'
import { WECHAT_ERRCODE } from '../../common/wechat-errcodes'
import { controlClient, MOUNTED_AT } from '../../emulator/client'

const control = controlClient(MOUNTED_AT)
/** WeChat's APIs the server calls: `token`, the classic one, it never does. */
const SERVER_CALLS = [
  'jscode2session',
  'getuserphonenumber',
  'checksession',
  'stable_token',
] as const
/** Enough to outlast every retry of the server and of the app while the box stays ticked. */
const BUSY_TIMES = 1_000_000

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (!found) throw new Error(`the panel has no #${id}`)
  return found as T
}

const phone = element<HTMLIFrameElement>('phone')
const status = element<HTMLOutputElement>('panel-status')

function say(text: string): void {
  status.textContent = text
}

function relaunch(why: string): void {
  phone.contentWindow?.location.reload()
  say(why)
}

async function post(
  path: string,
  body: object,
  header: Record<string, string> = {},
): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...header },
    body: JSON.stringify(body),
  })
}

async function setBusy(busy: boolean): Promise<void> {
  if (busy) {
    for (const api of SERVER_CALLS) {
      await control.addFault({ api, errcode: WECHAT_ERRCODE.SYSTEM_BUSY, times: BUSY_TIMES })
    }
  } else {
    await control.clearFaults()
  }
  writeSettings({ wechatBusy: busy })
  say(busy ? 'WeChat answers "system busy" (-1) to every call.' : 'WeChat answers again.')
}

/** The app's stored token, logged out on the server: what an expired or revoked token is. */
async function expireToken(): Promise<void> {
  const config = createConfig({ baseUrls: BASE_URLS })
  const stored = appStorage.get(config.storageKey) as { token?: unknown } | undefined
  if (!stored || typeof stored.token !== 'string') {
    say('The app has no stored token yet.')
    return
  }
  const scheme = config.tokenScheme ? `${config.tokenScheme} ` : ''
  const response = await post(
    config.endpoints.logout,
    {},
    { [config.tokenHeader]: scheme + stored.token },
  )
  say(
    response.ok
      ? 'The server no longer accepts the stored token; the app finds out at its next request.'
      : `The server answered ${response.status}.`,
  )
}

function setUp(): void {
  const settings = readSettings()
  const version = element<HTMLSelectElement>('sdk-version')
  for (const v of BASE_LIBRARIES) version.add(new Option(v, v, false, v === settings.sdkVersion))
  version.addEventListener('change', () => {
    writeSettings({ sdkVersion: version.value })
    relaunch(`Relaunched on base library ${version.value}.`)
  })

  const access = element<HTMLSelectElement>('phone-access')
  access.value = settings.phoneAccess
  access.addEventListener('change', () => {
    writeSettings({ phoneAccess: access.value as PhoneAccess })
    say('The next tap on the phone-number button gets this answer.')
  })

  const login = element<HTMLSelectElement>('login-access')
  login.value = settings.loginAccess
  login.addEventListener('change', () => {
    writeSettings({ loginAccess: login.value as LoginAccess })
    say('The next wx.login gets this answer.')
  })

  const scheme = element<HTMLSelectElement>('color-scheme')
  scheme.value = settings.colorScheme
  scheme.addEventListener('change', () => {
    writeSettings({ colorScheme: scheme.value as ColorScheme })
    relaunch(`Relaunched in the ${scheme.value} colour scheme.`)
  })

  const textSize = element<HTMLSelectElement>('text-size')
  textSize.value = String(settings.textScale)
  textSize.addEventListener('change', () => {
    writeSettings({ textScale: Number(textSize.value) })
    relaunch(`Relaunched with text at ${Number(textSize.value) * 100}%.`)
  })

  const offline = element<HTMLInputElement>('network-down')
  offline.checked = settings.offline
  offline.addEventListener('change', () => {
    writeSettings({ offline: offline.checked })
    say(offline.checked ? 'The phone is offline.' : 'The phone is online.')
  })

  const busy = element<HTMLInputElement>('wechat-busy')
  busy.checked = settings.wechatBusy
  busy.addEventListener('change', () => void setBusy(busy.checked))

  element('expire-token').addEventListener('click', () => void expireToken())
  element('relaunch').addEventListener('click', () => relaunch('Relaunched.'))
  element('reset-privacy').addEventListener('click', () => {
    writeAccount({ privacyAgreed: false })
    relaunch('The privacy agreement is forgotten; relaunched.')
  })
  element('fresh-start').addEventListener('click', () => {
    forgetAccount()
    relaunch('A new WeChat user on a fresh install.')
  })
}

setUp()
