import {
  CONTROL_PATHS as PATH,
  CONTROL_PREFIX,
  type EmulatorInfo,
  type EmulatorStats,
  type FaultRequest,
  type HeldUser,
  type LoginCode,
  type LoginRequest,
  type PhonePayload,
  type PhoneRequest,
  type UserInfoPayload,
  type UserInfoRequest,
} from './schema'

// The one client of the control API, for every tool that drives the emulator over HTTP (the
// conformance kit, the browser preview, the tests, the bench): fetch only, so it runs in Node and
// in a browser alike.

/** The emulator refused or garbled a control call; `errcode` is its WeChat-shaped answer's. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: number | null,
    message: string,
  ) {
    super(message)
    this.name = 'ControlError'
  }
}

/** What the client needs of fetch. */
export type Fetch = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>

export interface ControlClientOptions {
  /** Per call; none by default. */
  timeoutMs?: number
  /** Default: the global fetch; a sandbox without one (jsdom) passes its own. */
  fetch?: Fetch
}

export type ControlClient = ReturnType<typeof controlClient>

/** The control API of the emulator whose WeChat API base URL is `emulatorBase`. */
export function controlClient(emulatorBase: string | URL, options: ControlClientOptions = {}) {
  const base = String(emulatorBase).replace(/\/+$/, '') + CONTROL_PREFIX

  const call = async <T>(method: string, path: string, json?: object): Promise<T> => {
    const send = options.fetch ?? fetch
    const response = await send(base + path, {
      method,
      headers: json === undefined ? undefined : { 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    })
    const text = await response.text()
    let body: unknown = null
    try {
      body = JSON.parse(text)
    } catch {
      // Said below: not what the control API answers.
    }
    const fields =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : null
    if (response.status !== 200 || fields === null) {
      const errcode = typeof fields?.errcode === 'number' ? fields.errcode : null
      throw new ControlError(
        response.status,
        errcode,
        `the emulator answered ${method} ${CONTROL_PREFIX}${path} with ${response.status} ${text.slice(0, 200)}`,
      )
    }
    return fields as T
  }

  return {
    /** What wx.login does: a code for the user (a new one without `openid`), and a new key. */
    login: (request: LoginRequest = {}) => call<LoginCode>('POST', PATH.login, request),
    /** What a getPhoneNumber tap yields: a phone code and the legacy encrypted payload. */
    phone: (request: PhoneRequest) => call<PhonePayload>('POST', PATH.phone, request),
    /** What a getUserInfo tap yields. */
    userInfo: (request: UserInfoRequest) => call<UserInfoPayload>('POST', PATH.userinfo, request),
    /** A login on another device: the key the backend holds goes stale. */
    rotateSessionKey: (openid: string) =>
      call<{ ok: true }>('POST', PATH.rotateSessionKey, { openid }),
    addFault: (fault: FaultRequest) => call<{ ok: true }>('POST', PATH.faults, fault),
    clearFaults: () => call<{ ok: true }>('DELETE', PATH.faults),
    retireAccessToken: () => call<{ ok: true }>('POST', PATH.retireAccessToken, {}),
    reset: () => call<{ ok: true }>('POST', PATH.reset, {}),
    stats: () => call<EmulatorStats>('GET', PATH.stats),
    info: () => call<EmulatorInfo>('GET', PATH.info),
    /** What WeChat holds for a user it has met (its session_key): a read, it mints nothing. */
    user: (openid: string) =>
      call<HeldUser>('GET', PATH.user.replace(':openid', encodeURIComponent(openid))),
  }
}
