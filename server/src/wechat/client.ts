import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { ApiError } from '../http/errors'
import type { WechatMetrics } from '../metrics/metrics'
import { parsePhoneInfo, type PhoneNumber } from './phone-info'
import { AccessTokenCache } from './access-token/cache'
import type { AccessTokenStore } from './access-token/store'
import {
  AnswerTooLarge,
  createTransport,
  TransportError,
  type Answer,
  type Transport,
} from './transport'

export interface WechatSession {
  openid: string
  unionid: string | null
  sessionKey: string
}

/** The seam between the routes and WeChat's server API: tests may swap it whole. */
export interface WechatApi {
  code2Session(code: string): Promise<WechatSession>
  getPhoneNumber(code: string, openid: string): Promise<PhoneNumber>
}

export interface WechatHttpOptions {
  /** Per attempt. */
  timeoutMs: number
  /** One delay per retry of errcode -1 (busy) or a network failure: its length caps the retries. */
  retryDelaysMs: readonly number[]
}

// Three attempts at most, all within about five seconds.
export const DEFAULT_WECHAT_HTTP: WechatHttpOptions = { timeoutMs: 1500, retryDelaysMs: [100, 300] }

export interface WechatClientOptions {
  appid: string
  secret: string
  /** Asked once, at the first call: the built-in emulator's base is known only once it listens. */
  apiBase: () => string
  http: WechatHttpOptions
  now: () => number
  log: FastifyBaseLogger
  /** Where the access token lives; default: this process's memory. */
  tokenStore?: AccessTokenStore
  /** Each request to WeChat and each access-token refresh, counted (METRICS_*). */
  metrics?: WechatMetrics
}

/** The client buildApp makes: it owns a keep-alive agent, closed with the app. */
export interface WechatClient extends WechatApi {
  close(): void
}

type Reply = Record<string, unknown> & { errcode: number; errmsg: string }

class Transient {
  constructor(
    readonly reason: string,
    /** As the metrics label it: WeChat's errcode, or none. */
    readonly errcode = 'none',
  ) {}
}

export function createWechatClient(options: WechatClientOptions): WechatClient {
  const { appid, secret, http, log } = options
  let transport: Transport | null = null

  // Never logs the URL: it carries the secret, the code or the access token.
  const unexpected = (api: string, detail: Record<string, unknown>): ApiError => {
    log.error({ api, ...detail }, 'unexpected answer from WeChat')
    return new ApiError('WECHAT_ERROR', `WeChat's ${api} answered unexpectedly; the log says more`)
  }

  const rejected = (api: string, reply: Reply): ApiError => {
    switch (reply.errcode) {
      case 40029:
      case 40163:
        return new ApiError(
          'WECHAT_CODE_INVALID',
          `WeChat rejected the code: invalid, expired or used (errcode ${reply.errcode})`,
        )
      case 40226:
        return new ApiError('WECHAT_RISK_BLOCKED', 'WeChat blocked this high-risk user (40226)')
      case 45011:
        return new ApiError('RATE_LIMITED', "WeChat's minute quota is used up (errcode 45011)")
      default:
        return unexpected(api, { errcode: reply.errcode, errmsg: reply.errmsg })
    }
  }

  const attempt = async (
    api: string,
    path: string,
    json: string | undefined,
  ): Promise<Reply | Transient> => {
    let answer: Answer
    try {
      transport ??= createTransport(options.apiBase())
      answer = await transport.send(path, json, http.timeoutMs)
    } catch (error) {
      if (error instanceof TransportError) return new Transient(error.reason)
      if (error instanceof AnswerTooLarge) throw unexpected(api, { detail: error.message })
      throw error
    }
    const { status, text } = answer
    if (status >= 500) return new Transient(`HTTP ${status}`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = null
    }
    if (status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw unexpected(api, { status, detail: 'not a JSON object' })
    }
    const fields = body as Record<string, unknown>
    // Some successful answers carry no errcode at all.
    const errcode = typeof fields.errcode === 'number' ? fields.errcode : 0
    if (errcode === -1) return new Transient('errcode -1 (system busy)', '-1')
    return { ...fields, errcode, errmsg: typeof fields.errmsg === 'string' ? fields.errmsg : '' }
  }

  const observed = async (
    api: string,
    request: () => Promise<Reply | Transient>,
  ): Promise<Reply | Transient> => {
    const started = performance.now()
    let errcode = 'none'
    try {
      const outcome = await request()
      errcode = outcome instanceof Transient ? outcome.errcode : String(outcome.errcode)
      return outcome
    } finally {
      options.metrics?.wechatCall(api, errcode, (performance.now() - started) / 1000)
    }
  }

  const send = async (api: string, path: string, body?: object): Promise<Reply> => {
    const json = body === undefined ? undefined : JSON.stringify(body)
    for (let retry = 0; ; retry++) {
      const outcome = await observed(api, () => attempt(api, path, json))
      if (!(outcome instanceof Transient)) return outcome
      const delay = http.retryDelaysMs[retry]
      if (delay === undefined) {
        log.warn({ api, reason: outcome.reason, attempts: retry + 1 }, 'WeChat is unavailable')
        throw new ApiError('WECHAT_UNAVAILABLE', `WeChat is busy or unreachable (${api})`)
      }
      await sleep(delay)
    }
  }

  const tokens = new AccessTokenCache(
    async () => {
      const body = { grant_type: 'client_credential', appid, secret, force_refresh: false }
      const reply = await send('stable_token', '/cgi-bin/stable_token', body)
      if (reply.errcode !== 0) throw rejected('stable_token', reply)
      const { access_token: accessToken, expires_in: expiresInS } = reply
      if (typeof accessToken !== 'string' || typeof expiresInS !== 'number' || expiresInS <= 0) {
        throw unexpected('stable_token', { detail: 'no access_token or expires_in' })
      }
      return { accessToken, expiresInS }
    },
    options.now,
    options.tokenStore,
    options.metrics,
  )

  return {
    async code2Session(code) {
      const query = new URLSearchParams({
        appid,
        secret,
        js_code: code,
        grant_type: 'authorization_code',
      })
      const reply = await send('jscode2session', `/sns/jscode2session?${query}`)
      if (reply.errcode !== 0) throw rejected('jscode2session', reply)
      const { openid, session_key: sessionKey, unionid } = reply
      if (typeof openid !== 'string' || !openid || typeof sessionKey !== 'string' || !sessionKey) {
        throw unexpected('jscode2session', { detail: 'no openid or session_key' })
      }
      return {
        openid,
        sessionKey,
        unionid: typeof unionid === 'string' && unionid ? unionid : null,
      }
    },

    async getPhoneNumber(code, openid) {
      const reply = await tokens.call((token) => {
        const query = new URLSearchParams({ access_token: token })
        const path = `/wxa/business/getuserphonenumber?${query}`
        return send('getuserphonenumber', path, { code, openid })
      })
      if (reply.errcode !== 0) throw rejected('getuserphonenumber', reply)
      const phone = parsePhoneInfo(reply.phone_info)
      if (!phone) throw unexpected('getuserphonenumber', { detail: 'no phone_info' })
      return phone
    },

    close() {
      transport?.close()
    },
  }
}
