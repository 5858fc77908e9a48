/**
 * One HTTP exchange with the backend: URL, token header, JSON body, the answer mapped onto the
 * contract's by the config's adaptAnswer hook if there is one, the contract's error shape turned
 * into an AuthError, and a success read against the contract's schema for it (only the fields it
 * names are kept). No retries and no re-login here; request.ts and session.ts add those.
 */
import type { AnswerRoute, AuthConfig } from './config'
import { AnswerError, read } from '../contract/read'
import type { Infer, Schema } from '../contract/schema'
import { AuthError } from './errors'
import type { HttpAnswer, HttpMethod, Platform } from './platform'

export interface Call {
  path: string
  method: HttpMethod
  data?: Record<string, unknown>
  token?: string
  timeoutMs?: number
}

export interface Upload {
  path: string
  filePath: string
  name: string
  token?: string
  timeoutMs?: number
}

/** What a successful answer must be: without one, the body is handed over unread. */
export interface Expect<S extends Schema> {
  answer: S
}

export class Http {
  private active = 0
  private readonly queue: Array<() => void> = []

  constructor(
    private readonly platform: Platform,
    private readonly config: AuthConfig,
  ) {}

  send<S extends Schema>(call: Call & Expect<S>): Promise<Infer<S>>
  send(call: Call & Partial<Expect<Schema>>): Promise<unknown>
  async send(call: Call & Partial<Expect<Schema>>): Promise<unknown> {
    const answer = await this.slot(() =>
      this.platform.request({
        url: this.config.baseUrl + call.path,
        method: call.method,
        header: this.header(call.token, { 'content-type': 'application/json' }),
        // wx.request sends no body for undefined; a JSON route still expects an object.
        data: call.data ?? (call.method === 'GET' ? undefined : {}),
        timeoutMs: call.timeoutMs ?? this.config.timeoutMs,
      }),
    )
    return unwrap(this.adapt(answer, call), call)
  }

  upload<S extends Schema>(upload: Upload & Expect<S>): Promise<Infer<S>>
  upload(upload: Upload & Partial<Expect<Schema>>): Promise<unknown>
  async upload(upload: Upload & Partial<Expect<Schema>>): Promise<unknown> {
    const answer = await this.slot(() =>
      this.platform.uploadFile({
        url: this.config.baseUrl + upload.path,
        filePath: upload.filePath,
        name: upload.name,
        header: this.header(upload.token, {}),
        timeoutMs: upload.timeoutMs ?? this.config.timeoutMs,
      }),
    )
    return unwrap(this.adapt(answer, { path: upload.path, method: 'POST' }), upload)
  }

  /** The backend's answer as the contract says it, by the config's hook; unchanged without one. */
  private adapt(answer: HttpAnswer, route: AnswerRoute): HttpAnswer {
    const { adaptAnswer } = this.config
    if (!adaptAnswer) return answer
    let adapted: HttpAnswer
    try {
      adapted = adaptAnswer(answer, { path: route.path, method: route.method })
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new AuthError(
        'BAD_RESPONSE',
        `adaptAnswer failed on ${route.path}: ${why}`,
        answer.statusCode,
      )
    }
    if (typeof adapted !== 'object' || adapted === null || typeof adapted.statusCode !== 'number') {
      throw new AuthError(
        'BAD_RESPONSE',
        `adaptAnswer returned no { statusCode, data } for ${route.path}`,
        answer.statusCode,
      )
    }
    return adapted
  }

  /**
   * Holds a slot only for the exchange itself, so a login needed by queued requests (after a 401)
   * is never stuck behind them.
   */
  private async slot<T>(exchange: () => Promise<T>): Promise<T> {
    if (this.active < this.config.maxConcurrent) this.active++
    else await new Promise<void>((resolve) => this.queue.push(resolve))
    try {
      return await exchange()
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.queue.shift()
      if (next) next()
      else this.active--
    }
  }

  private header(token: string | undefined, base: Record<string, string>): Record<string, string> {
    if (token === undefined) return base
    const { tokenHeader, tokenScheme } = this.config
    return { ...base, [tokenHeader]: tokenScheme ? `${tokenScheme} ${token}` : token }
  }
}

function unwrap(answer: HttpAnswer, call: { path: string } & Partial<Expect<Schema>>): unknown {
  const { statusCode, data } = answer
  if (statusCode >= 200 && statusCode < 300) {
    if (!call.answer) return data
    try {
      return read(call.answer, data, call.path)
    } catch (err) {
      if (!(err instanceof AnswerError)) throw err
      throw new AuthError('BAD_RESPONSE', err.message, statusCode)
    }
  }
  const error = contractError(data)
  if (error) throw new AuthError(error.code, error.message, statusCode)
  throw new AuthError('HTTP_ERROR', `HTTP ${statusCode}`, statusCode)
}

function contractError(data: unknown): { code: string; message: string } | null {
  if (typeof data !== 'object' || data === null) return null
  const error = (data as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return null
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code !== 'string') return null
  return { code, message: typeof message === 'string' ? message : code }
}
