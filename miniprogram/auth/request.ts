/**
 * The one way pages talk to the backend: request() and upload() attach the token, retry
 * transient failures of idempotent calls with backoff, and on 401 log in again (single-flight) and
 * replay once — never more, so a backend that keeps answering 401 cannot loop us. Given the
 * schema of the answer (`answer`), they resolve to the answer as it says, or fail BAD_RESPONSE.
 */
import type { AuthConfig } from './config'
import type { Infer, Schema } from '../contract/schema'
import { AuthError, isAuthError } from './errors'
import type { Expect, Http } from './http'
import type { HttpMethod, Platform } from './platform'
import { withRetry, type RetryPolicy } from './retry'
import type { Session } from './session'

export interface RequestOptions {
  path: string
  method?: HttpMethod
  data?: Record<string, unknown>
  /** false for public routes: no token, no login. */
  auth?: boolean
  timeoutMs?: number
  /** Safe to send twice. Defaults to true for every method but POST. */
  idempotent?: boolean
  /**
   * false inside a consent callback (getphonenumber, getuserinfo): a login there could rotate the
   * session_key the payload was sealed with. The held token goes out even in its last
   * `expirySkewMs` (the server decides), and a dead one fails instead of logging in.
   */
  relogin?: boolean
}

export interface UploadOptions {
  path: string
  filePath: string
  /** The multipart field name. */
  name: string
  timeoutMs?: number
}

const ONCE: RetryPolicy = { tries: 1, baseDelayMs: 0, maxDelayMs: 0 }

export class Requester {
  constructor(
    private readonly session: Session,
    private readonly http: Http,
    private readonly config: AuthConfig,
    private readonly platform: Platform,
  ) {}

  request<S extends Schema>(options: RequestOptions & Expect<S>): Promise<Infer<S>>
  /** A route of the app's own, outside the contract: its answer is the caller's to check. */
  request<T = unknown>(options: RequestOptions): Promise<T>
  request(options: RequestOptions & Partial<Expect<Schema>>): Promise<unknown> {
    const method = options.method ?? 'GET'
    const idempotent = options.idempotent ?? method !== 'POST'
    const send = (token?: string) =>
      this.retrying(idempotent, () =>
        this.http.send({
          path: options.path,
          method,
          data: options.data,
          token,
          timeoutMs: options.timeoutMs,
          answer: options.answer,
        }),
      )
    if (options.auth === false) return send()
    return this.withToken(options.relogin !== false, send)
  }

  /** wx.uploadFile with the token; an upload replaces what it sends, so it may be repeated. */
  upload<S extends Schema>(options: UploadOptions & Expect<S>): Promise<Infer<S>>
  upload<T = unknown>(options: UploadOptions): Promise<T>
  upload(options: UploadOptions & Partial<Expect<Schema>>): Promise<unknown> {
    return this.withToken(true, (token) =>
      this.retrying(true, () => this.http.upload({ ...options, token })),
    )
  }

  private retrying(idempotent: boolean, attempt: () => Promise<unknown>): Promise<unknown> {
    return withRetry(attempt, idempotent ? this.config.retry : ONCE, this.platform)
  }

  private async withToken(
    relogin: boolean,
    exchange: (token: string) => Promise<unknown>,
  ): Promise<unknown> {
    const token = relogin ? await this.session.ensure() : this.session.heldToken()
    if (token === null)
      throw new AuthError('NOT_LOGGED_IN', 'no session, and this step may not log in')
    try {
      return await exchange(token)
    } catch (err) {
      if (!isAuthError(err) || err.status !== 401) throw err
      // Only the token this request carried is known dead; a newer one may already be in place.
      this.session.invalidate(token)
      if (!relogin) throw err
      return exchange(await this.session.ensure())
    }
  }
}
