import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { isSessionKey } from '../../../common/open-data'
import { WECHAT_ERRCODE as E } from '../../../common/wechat-errcodes'
import { WECHAT_ID } from '../../../common/wechat-formats'
import { ApiError } from '../http/errors'
import type { WechatMetrics } from '../metrics/metrics'
import { parsePhoneInfo, type PhoneNumber } from './phone-info'
import { AccessTokenCache } from './access-token/cache'
import type { AccessTokenStore } from './access-token/store'
import { errmsgForLog } from './errmsg'
import { WechatOutage } from './outage'
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
  /**
   * One delay per retry, its length capping the retries: of a call that carries no single-use
   * code (the access token) after -1 (busy), a 5xx or a network failure; of one that does, only
   * after a connection that never opened.
   */
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

/** An attempt that got no answer worth reading: `reached`, whether WeChat may have had it. */
class Transient {
  constructor(
    readonly reason: string,
    readonly reached: boolean,
    /** As the metrics label it: WeChat's errcode, or none. */
    readonly errcode = 'none',
  ) {}
}

interface Call {
  /** WeChat's name of the API, for the log. */
  api: string
  path: string
  body?: object
  /**
   * The request carries a code WeChat takes once (a login code, a phone code, whose success is
   * billed): once it may have reached WeChat it is never sent again, since a second try would
   * only hear 40029 or 40163 for a code the first one spent.
   */
  singleUse: boolean
}

/** What WeChat's verdicts on a code mean: errcodes the user, not the server, is answerable for. */
const VERDICTS: ReadonlySet<number> = new Set([
  E.INVALID_CODE,
  E.CODE_USED,
  E.CODE_BLOCKED,
  E.MINUTE_QUOTA,
])

export function createWechatClient(options: WechatClientOptions): WechatClient {
  const { appid, secret, http, log } = options
  const outage = new WechatOutage(log)
  let transport: Transport | null = null

  // Never logs the URL: it carries the secret, the code or the access token.
  /** An answer that is not what WeChat answers: nothing of it goes further than the log. */
  const badAnswer = (api: string, detail: string): ApiError => {
    log.error({ api, detail }, 'WeChat answered what WeChat never answers')
    return new ApiError(
      'WECHAT_BAD_ANSWER',
      `WeChat's ${api} answered something WeChat never answers; the log says more`,
    )
  }

  /** An errcode: its rid is what WeChat's support asks for; its errmsg is redacted first. */
  const rejected = (api: string, reply: Reply): ApiError => {
    const { errcode } = reply
    const said = { api, errcode, ...errmsgForLog(reply.errmsg, [secret]) }
    if (VERDICTS.has(errcode)) log.info(said, 'WeChat refused the request')
    else log.error(said, 'unexpected answer from WeChat')
    switch (errcode) {
      case E.INVALID_CODE:
      case E.CODE_USED:
        return new ApiError(
          'WECHAT_CODE_INVALID',
          `WeChat rejected the code: invalid, expired or used (errcode ${errcode})`,
        )
      case E.CODE_BLOCKED:
        return new ApiError(
          'WECHAT_RISK_BLOCKED',
          `WeChat blocked this high-risk user (${errcode})`,
        )
      case E.MINUTE_QUOTA:
        return new ApiError('RATE_LIMITED', `WeChat's minute quota is used up (errcode ${errcode})`)
      default:
        return new ApiError(
          'WECHAT_ERROR',
          `WeChat's ${api} answered an unexpected errcode (${errcode}); the log says more`,
        )
    }
  }

  const attempt = async (api: string, path: string, json?: string): Promise<Reply | Transient> => {
    let answer: Answer
    try {
      transport ??= createTransport(options.apiBase())
      answer = await transport.send(path, json, http.timeoutMs)
    } catch (error) {
      if (error instanceof TransportError) return new Transient(error.reason, error.reached)
      if (error instanceof AnswerTooLarge) throw badAnswer(api, error.message)
      throw error
    }
    const { status, text } = answer
    if (status >= 500) return new Transient(`HTTP ${status}`, true)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = null
    }
    if (status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badAnswer(api, `HTTP ${status}, not a JSON object`)
    }
    const fields = body as Record<string, unknown>
    // Some successful answers carry no errcode at all.
    const errcode = typeof fields.errcode === 'number' ? fields.errcode : E.OK
    if (errcode === E.SYSTEM_BUSY)
      return new Transient('errcode -1 (system busy)', true, String(E.SYSTEM_BUSY))
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

  const send = async ({ api, path, body, singleUse }: Call): Promise<Reply> => {
    const json = body === undefined ? undefined : JSON.stringify(body)
    for (let retry = 0; ; retry++) {
      const outcome = await observed(api, () => attempt(api, path, json))
      if (!(outcome instanceof Transient)) {
        outage.answered()
        return outcome
      }
      const delay = http.retryDelaysMs[retry]
      const spent = singleUse && outcome.reached
      if (delay === undefined || spent) {
        outage.failed(api, outcome.reason, retry + 1)
        throw new ApiError(
          'WECHAT_UNAVAILABLE',
          spent
            ? `WeChat did not answer (${api}, ${outcome.reason}), which may have spent the code: ` +
                'get a new one and try again'
            : `WeChat is busy or unreachable (${api}, ${outcome.reason})`,
        )
      }
      await sleep(delay)
    }
  }

  const tokens = new AccessTokenCache(
    async () => {
      const body = { grant_type: 'client_credential', appid, secret, force_refresh: false }
      const api = 'stable_token'
      const reply = await send({ api, path: '/cgi-bin/stable_token', body, singleUse: false })
      if (reply.errcode !== E.OK) throw rejected(api, reply)
      const { access_token: accessToken, expires_in: expiresInS } = reply
      if (typeof accessToken !== 'string' || !/^[\x21-\x7e]{1,2048}$/.test(accessToken)) {
        throw badAnswer(api, 'no access_token of printable characters')
      }
      if (typeof expiresInS !== 'number' || !Number.isInteger(expiresInS) || expiresInS <= 0) {
        throw badAnswer(api, 'no expires_in in whole seconds')
      }
      return { accessToken, expiresInS }
    },
    options.now,
    options.tokenStore,
    options.metrics,
  )

  return {
    async code2Session(code) {
      const api = 'jscode2session'
      const query = new URLSearchParams({
        appid,
        secret,
        js_code: code,
        grant_type: 'authorization_code',
      })
      const reply = await send({ api, path: `/sns/jscode2session?${query}`, singleUse: true })
      if (reply.errcode !== E.OK) throw rejected(api, reply)
      const { openid, session_key: sessionKey, unionid } = reply
      if (typeof openid !== 'string' || !WECHAT_ID.test(openid)) {
        throw badAnswer(api, 'no openid of 1 to 64 letters, digits, - and _')
      }
      if (typeof sessionKey !== 'string' || !isSessionKey(sessionKey)) {
        throw badAnswer(api, 'no session_key of 16 bytes in base64')
      }
      // Absent, null or empty: the mini-program is bound to no Open Platform account.
      const bound = unionid !== undefined && unionid !== null && unionid !== ''
      if (bound && (typeof unionid !== 'string' || !WECHAT_ID.test(unionid))) {
        throw badAnswer(api, 'a unionid that is not 1 to 64 letters, digits, - and _')
      }
      return { openid, sessionKey, unionid: bound ? unionid : null }
    },

    async getPhoneNumber(code, openid) {
      const api = 'getuserphonenumber'
      const reply = await tokens.call((token) => {
        const query = new URLSearchParams({ access_token: token })
        const path = `/wxa/business/getuserphonenumber?${query}`
        return send({ api, path, body: { code, openid }, singleUse: true })
      })
      if (reply.errcode !== E.OK) throw rejected(api, reply)
      const phone = parsePhoneInfo(reply.phone_info)
      if (!phone) throw badAnswer(api, 'no phone_info of digits, in their lengths')
      return phone
    },

    close() {
      transport?.close()
    },
  }
}
