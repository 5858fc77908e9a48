/**
 * A fake `wx` for miniprogram-simulate: the WeChat client as the auth module sees it.
 * wx.request and wx.uploadFile make real HTTP requests (to a fake backend in unit tests, to the
 * reference server end to end); login codes and consent payloads come from pluggable sources, so
 * the same fake serves both. Base-library gates follow `sdkVersion`: an API below its version is
 * absent, as on an old WeChat.
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { BEHAVIOUR_SINCE, canIUseAt, SINCE, versionAtLeast } from './base-library'

type Listener = WechatMiniprogram.NeedPrivacyAuthorizationListener
type PrivacyOption = WechatMiniprogram.PrivacyResolveOption

export interface PhonePayload {
  code?: string
  encryptedData: string
  iv: string
}

export interface UserInfoPayload {
  encryptedData: string
  iv: string
  /** The JSON text of the userInfo the event carries beside it. */
  rawData: string
  signature: string
}

export interface FakeWxOptions {
  sdkVersion?: string
  envVersion?: 'develop' | 'trial' | 'release'
  loginCode?: () => Promise<string>
  phonePayload?: () => Promise<PhonePayload>
  userInfoPayload?: () => Promise<UserInfoPayload>
}

export type PhoneKind = 'fast' | 'realtime'

/** The phone button's attributes as rendered (open-type, phone-number-no-quota-toast, disabled). */
export interface PhoneButtonAttrs {
  openType: unknown
  noQuotaToast: unknown
  disabled: unknown
}

export interface PhoneButtonEvent {
  /** The bind… event WeChat fires: getphonenumber or getrealtimephonenumber. */
  event: string
  detail: WechatMiniprogram.PhoneNumberDetail
}

interface Callbacks<S> {
  success?: (res: S) => void
  fail?: (err: { errMsg: string; errno?: number }) => void
}

/** The parts of wx.request's and wx.uploadFile's options that the fake honours. */
interface RequestOptions extends Callbacks<{ statusCode: number; data: unknown; errMsg: string }> {
  url: string
  method?: string
  header?: Record<string, string>
  data?: unknown
  timeout?: number
}

interface UploadOptions extends Callbacks<{ statusCode: number; data: string; errMsg: string }> {
  url: string
  filePath: string
  name: string
  header?: Record<string, string>
  timeout?: number
}

interface Exchange {
  api: 'request' | 'uploadFile'
  url: URL
  method: string
  header: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
  onAnswer: (statusCode: number, text: string) => void
  onFail: (errMsg: string) => void
}

export class FakeWx {
  sdkVersion: string
  envVersion: 'develop' | 'trial' | 'release'
  /** What wx.checkSession answers: does WeChat still hold the key of the last login? */
  sessionValid = true
  /** The next `failLogins` calls of wx.login fail. */
  failLogins = 0
  /** wx.login fails with errno 1402101: WeChat blocks this user from logging in here. */
  loginBlocked = false
  /** Every wx.showModal's title, and what the user answers (confirm, or cancel). */
  readonly modals: string[] = []
  /** The content of each wx.showModal, in order. */
  readonly modalContents: string[] = []
  modalConfirms = true
  /** Every wx.showToast's title. */
  readonly toasts: string[] = []
  /** Every page wx.reLaunch opened. */
  readonly relaunched: string[] = []
  /** What wx.setClipboardData put on the clipboard, last write last. */
  readonly clipboard: string[] = []
  privacyAgreed = false
  /** wx.setStorageSync throws, as it does once the mini-program's 10 MB are used up. */
  storageFull = false
  privacyContractName = '示例小程序隐私保护指引'
  readonly storage = new Map<string, unknown>()
  /** Every platform call in order: 'login', 'checkSession', 'POST /api/auth/phone', … */
  readonly log: string[] = []
  readonly privacyEvents: PrivacyOption[] = []
  contractOpened = 0
  /** Phone numbers WeChat will still verify for this mini-program; at 0 a tap gets errno 1400001. */
  phoneQuota = Infinity
  /** Every successful phone tap, billed by WeChat: fast ¥0.03, real-time ¥0.04. */
  readonly billed: PhoneKind[] = []
  /** WeChat's own sheets the user saw ('quota': "该功能使用次数已达当前小程序上限"). */
  readonly platformSheets: string[] = []
  loginCode: () => Promise<string>
  phonePayload: () => Promise<PhonePayload>
  userInfoPayload: () => Promise<UserInfoPayload>
  private privacyListener: Listener | null = null
  private privacyListenerCount = 0
  private codes = 0
  /** Calls WeChat answers later (and work handed to track()), not yet answered. */
  private underWay = 0
  private readonly waiting: Array<() => void> = []

  constructor(options: FakeWxOptions = {}) {
    this.sdkVersion = options.sdkVersion ?? '3.7.9'
    this.envVersion = options.envVersion ?? 'develop'
    this.loginCode = options.loginCode ?? (async () => `code-${++this.codes}`)
    this.phonePayload =
      options.phonePayload ??
      (async () => ({
        code: 'phone-code',
        encryptedData: 'ZW5jcnlwdGVk',
        iv: 'aXZpdml2aXZpdml2aXZpdg==',
      }))
    this.userInfoPayload =
      options.userInfoPayload ??
      (async () => ({
        encryptedData: 'ZW5jcnlwdGVk',
        iv: 'aXZpdml2aXZpdml2aXZpdg==',
        rawData: JSON.stringify({
          nickName: '微信用户',
          avatarUrl: '',
          gender: 0,
          language: 'zh_CN',
        }),
        signature: '0000',
      }))
  }

  /** Nothing WeChat was asked is still unanswered: only the test can make something happen. */
  get idle(): boolean {
    return this.underWay === 0
  }

  /** Resolves once the next unanswered call is answered (its callback has run). */
  nextAnswer(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Counts `work` as under way until it settles: the wx adapter's backoff sleeps, say. */
  track<T>(work: Promise<T>): Promise<T> {
    const end = this.begin()
    work.then(end, end)
    return work
  }

  /** A call is under way; the returned function, run after its callback, ends it (once). */
  private begin(): () => void {
    this.underWay++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.underWay--
      this.waiting.splice(0).forEach((wake) => wake())
    }
  }

  /** A callback delivered on a later turn, as WeChat delivers them. */
  private later(fn: () => void): void {
    const end = this.begin()
    setTimeout(() => {
      fn()
      end()
    }, 0)
  }

  count(entry: string): number {
    return this.log.filter((e) => e === entry).length
  }

  /** How many times wx.onNeedPrivacyAuthorization was registered (WeChat keeps only the last). */
  get privacyRegistrations(): number {
    return this.privacyListenerCount
  }

  install(): void {
    ;(globalThis as unknown as { wx: unknown }).wx = this.api()
  }

  // ---- What a user's tap on an open-type button produces ----------------------------------

  /**
   * A tap on a privacy-covered button. Until the user has agreed, WeChat holds the tap and asks
   * the app's listener; resolves true once the user agreed, false when they did not.
   */
  /** Whether a privacy-covered tap would be held now to ask the user. */
  get asksPrivacy(): boolean {
    return versionAtLeast(this.sdkVersion, SINCE.getPrivacySetting) && !this.privacyAgreed
  }

  privacyGate(referrer: string): Promise<boolean> {
    if (!this.asksPrivacy) return Promise.resolve(true)
    const listener = this.privacyListener
    if (!listener) throw new Error('no onNeedPrivacyAuthorization listener: the tap would hang')
    return new Promise((resolve) => {
      listener(
        (option) => {
          this.privacyEvents.push(option)
          if (option.event === 'agree') {
            if (!option.buttonId) throw new Error('agree without the id of the agree button')
            this.privacyAgreed = true
            resolve(true)
          } else if (option.event === 'disagree') {
            resolve(false)
          }
        },
        { referrer },
      )
    })
  }

  /** The getphonenumber event's detail after the user allowed it. */
  async phoneDetail(): Promise<WechatMiniprogram.PhoneNumberDetail> {
    const { code, encryptedData, iv } = await this.phonePayload()
    const detail: WechatMiniprogram.PhoneNumberDetail = {
      errMsg: 'getPhoneNumber:ok',
      encryptedData,
      iv,
    }
    // Below 2.21.2 WeChat hands out only the legacy encrypted payload.
    if (code && versionAtLeast(this.sdkVersion, BEHAVIOUR_SINCE.phoneCode)) detail.code = code
    return detail
  }

  /**
   * A tap on a phone-number button, as WeChat handles it, read off the button as rendered: which
   * event fires (none for a disabled button or an open-type this base library does not know),
   * with what detail, billed or not, and whether WeChat shows its own quota sheet.
   */
  async phoneButtonTap(button: PhoneButtonAttrs): Promise<PhoneButtonEvent | null> {
    const has = (since: string) => versionAtLeast(this.sdkVersion, since)
    const types = String(button.openType).split('|')
    const known: Record<string, boolean> = {
      getPhoneNumber: true,
      getRealtimePhoneNumber: has(SINCE['button.open-type.getRealtimePhoneNumber']),
      agreePrivacyAuthorization: has(SINCE['button.open-type.agreePrivacyAuthorization']),
    }
    if (button.disabled === true || !types.every((type) => known[type])) return null
    if (types.length > 1 && !has(BEHAVIOUR_SINCE.combinedOpenType)) return null
    const kind: PhoneKind = types.includes('getRealtimePhoneNumber') ? 'realtime' : 'fast'
    if (kind === 'fast' && !types.includes('getPhoneNumber')) return null
    const api = kind === 'realtime' ? 'getRealtimePhoneNumber' : 'getPhoneNumber'
    const event = api.toLowerCase()
    if (this.phoneQuota <= 0) {
      // The attribute is a boolean: the string "false" is truthy and leaves the sheet on.
      if (!(has(BEHAVIOUR_SINCE.noQuotaToast) && button.noQuotaToast === false)) {
        this.platformSheets.push('quota')
      }
      return { event, detail: { errMsg: `${api}:fail no quota`, errno: 1400001 } }
    }
    this.phoneQuota--
    this.billed.push(kind)
    if (kind === 'fast') return { event, detail: await this.phoneDetail() }
    const { code } = await this.phonePayload()
    return { event, detail: { errMsg: `${api}:ok`, code } }
  }

  async userInfoDetail(): Promise<WechatMiniprogram.UserInfoDetail> {
    const payload = await this.userInfoPayload()
    return { errMsg: 'getUserInfo:ok', ...payload, userInfo: JSON.parse(payload.rawData) }
  }

  // ---- The wx object -----------------------------------------------------------------------

  private api(): Record<string, unknown> {
    const has = (since: string) => versionAtLeast(this.sdkVersion, since)
    const api: Record<string, unknown> = {
      login: (options: Callbacks<{ code: string; errMsg: string }>) => {
        this.log.push('login')
        if (this.loginBlocked) {
          this.later(() => options.fail?.({ errMsg: 'login:fail user is blocked', errno: 1402101 }))
          return
        }
        if (this.failLogins > 0) {
          this.failLogins--
          this.later(() => options.fail?.({ errMsg: 'login:fail system error' }))
          return
        }
        const end = this.begin()
        this.loginCode()
          .then(
            (code) => options.success?.({ code, errMsg: 'login:ok' }),
            (err: Error) => options.fail?.({ errMsg: `login:fail ${err.message}` }),
          )
          .finally(end)
      },
      checkSession: (options: Callbacks<{ errMsg: string }>) => {
        this.log.push('checkSession')
        this.later(() =>
          this.sessionValid
            ? options.success?.({ errMsg: 'checkSession:ok' })
            : options.fail?.({ errMsg: 'checkSession:fail session time out' }),
        )
      },
      request: (options: RequestOptions) => this.request(options),
      uploadFile: (options: UploadOptions) => this.uploadFile(options),
      getStorageSync: (key: string) => (this.storage.has(key) ? this.storage.get(key) : ''),
      setStorageSync: (key: string, value: unknown) => {
        if (this.storageFull) throw new Error('setStorageSync:fail exceed storage max size 10MB')
        // Storage holds a copy, as WeChat's does: later mutations of `value` are not seen.
        this.storage.set(key, JSON.parse(JSON.stringify(value)))
      },
      removeStorageSync: (key: string) => {
        this.storage.delete(key)
      },
      canIUse: (schema: string) => canIUseAt(this.sdkVersion, schema),
      getAccountInfoSync: () => ({
        miniProgram: { appId: 'wx0000000000000000', envVersion: this.envVersion, version: '' },
      }),
      getSystemInfoSync: () => ({ SDKVersion: this.sdkVersion }),
      showModal: (
        options: Callbacks<{ confirm: boolean; cancel: boolean }> & {
          title: string
          content?: string
        },
      ) => {
        this.modals.push(options.title)
        this.modalContents.push(options.content ?? '')
        const confirm = this.modalConfirms
        this.later(() => options.success?.({ confirm, cancel: !confirm }))
      },
      showToast: (options: { title: string }) => {
        this.toasts.push(options.title)
      },
      reLaunch: (options: { url: string }) => {
        this.relaunched.push(options.url)
      },
      // Privacy-covered (剪切板), like the buttons: held until the user agreed. Not under way
      // meanwhile: what answers it is the user, in the dialog.
      setClipboardData: (options: Callbacks<{ errMsg: string }> & { data: string }) => {
        void this.privacyGate('setClipboardData').then((agreed) =>
          this.later(() => {
            if (!agreed) {
              const errMsg = 'setClipboardData:fail privacy permission is not authorized'
              options.fail?.({ errMsg, errno: 104 })
              return
            }
            this.clipboard.push(options.data)
            options.success?.({ errMsg: 'setClipboardData:ok' })
          }),
        )
      },
    }
    if (has(SINCE.getAppBaseInfo)) api.getAppBaseInfo = () => ({ SDKVersion: this.sdkVersion })
    if (has(SINCE.getPrivacySetting)) {
      api.onNeedPrivacyAuthorization = (listener: Listener) => {
        this.privacyListenerCount++
        this.privacyListener = listener
      }
      api.getPrivacySetting = (
        options: Callbacks<WechatMiniprogram.GetPrivacySettingSuccessCallbackResult>,
      ) =>
        this.later(() =>
          options.success?.({
            needAuthorization: !this.privacyAgreed,
            privacyContractName: this.privacyContractName,
            errMsg: 'getPrivacySetting:ok',
          }),
        )
      api.requirePrivacyAuthorize = (options: Callbacks<{ errMsg: string }>) => {
        this.log.push('requirePrivacyAuthorize')
        // Not under way: what answers it is the user, in the dialog, as for a covered tap.
        void this.privacyGate('requirePrivacyAuthorize').then((agreed) =>
          agreed
            ? options.success?.({ errMsg: 'requirePrivacyAuthorize:ok' })
            : options.fail?.({
                errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized',
                errno: 104,
              }),
        )
      }
      api.openPrivacyContract = (options: Callbacks<{ errMsg: string }>) => {
        this.contractOpened++
        this.later(() => options.success?.({ errMsg: 'openPrivacyContract:ok' }))
      }
    }
    return api
  }

  private request(options: RequestOptions): { abort(): void } {
    const method = options.method ?? 'GET'
    const url = new URL(options.url)
    let body: string | undefined
    if (options.data !== undefined) {
      if (method === 'GET') {
        for (const [k, v] of Object.entries(options.data as Record<string, unknown>)) {
          url.searchParams.set(k, String(v))
        }
      } else {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data)
      }
    }
    this.log.push(`${method} ${url.pathname}`)
    return this.send({
      api: 'request',
      url,
      method,
      header: { ...options.header },
      body,
      timeoutMs: options.timeout,
      onAnswer: (statusCode, text) =>
        options.success?.({ statusCode, data: parseJson(text), errMsg: 'request:ok' }),
      onFail: (errMsg) => options.fail?.({ errMsg }),
    })
  }

  private uploadFile(options: UploadOptions): { abort(): void } {
    const url = new URL(options.url)
    this.log.push(`UPLOAD ${url.pathname}`)
    const boundary = `----fakewx${Date.now().toString(16)}`
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; ` +
          `filename="${path.basename(options.filePath)}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      fs.readFileSync(options.filePath),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    return this.send({
      api: 'uploadFile',
      url,
      method: 'POST',
      header: { ...options.header, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      timeoutMs: options.timeout,
      // wx.uploadFile hands over the body as text, whatever its type.
      onAnswer: (statusCode, text) =>
        options.success?.({ statusCode, data: text, errMsg: 'uploadFile:ok' }),
      onFail: (errMsg) => options.fail?.({ errMsg }),
    })
  }

  private send(exchange: Exchange): { abort(): void } {
    const { api, url, body } = exchange
    const end = this.begin()
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      end()
    }
    const fail = (reason: string) => settle(() => exchange.onFail(`${api}:fail ${reason}`))
    const headers = { ...exchange.header }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: exchange.method,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          settle(() =>
            exchange.onAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')),
          ),
        )
        res.on('error', (err) => fail(err.message))
      },
    )
    const timer = setTimeout(() => {
      fail('timeout')
      req.destroy()
    }, exchange.timeoutMs ?? 60000)
    req.on('error', (err) => fail(err.message))
    req.end(body)
    return { abort: () => req.destroy() }
  }
}

/** wx.request's default dataType 'json': parsed when it parses, the raw text otherwise. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
