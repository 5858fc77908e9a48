/**
 * The app's own login state: wx.login → our backend → a token kept in storage.
 * One login at a time (single-flight), observable state, and a token invalidated only by the
 * answer that proved it dead. session_key never reaches this side: the backend keeps it.
 */
import type { AuthConfig } from './config'
import { LOGIN_ANSWER, USER, type User } from '../contract/answers'
import { read } from '../contract/read'
import type { Infer, Schema } from '../contract/schema'
import { AuthError, toAuthError } from './errors'
import type { Http } from './http'
import type { Platform } from './platform'
import { withRetry } from './retry'

export type { User }

/** What storage keeps: read back through this schema, so a field it does not name is dropped. */
const STORED = {
  type: 'object',
  properties: {
    token: { type: 'string', minLength: 1 },
    /** Epoch milliseconds. */
    expiresAt: { type: 'number' },
    user: USER,
  },
  required: ['token', 'expiresAt', 'user'],
} as const satisfies Schema

type Stored = Infer<typeof STORED>

export type AuthState =
  | { status: 'anonymous' }
  | { status: 'logging-in' }
  | { status: 'logged-in'; user: User }
  | { status: 'error'; error: AuthError }

export type AuthListener = (state: AuthState) => void

export class Session {
  private stored: Stored | null
  private inflight: Promise<Stored> | null = null
  /** Bumped by logout, so a login that was in flight cannot bring the old session back. */
  private epoch = 0

  /** Which session this is: a new one after every logout, 退出所有设备 or 注销. */
  get generation(): number {
    return this.epoch
  }
  /** Storage refused the session in memory: the next launch would not find it. */
  private unsaved = false
  /** The account was deleted: no silent login until the user asks for one (login()). */
  private stayOut = false
  /**
   * A wx.login gave a code the backend has not redeemed: WeChat's session_key is now that code's,
   * which the backend does not hold, however live checkSession says it is.
   */
  private unredeemed = false
  private current: AuthState
  private readonly listeners = new Set<AuthListener>()

  constructor(
    private readonly platform: Platform,
    private readonly http: Http,
    private readonly config: AuthConfig,
  ) {
    this.stored = this.read()
    this.current = this.stored
      ? { status: 'logged-in', user: this.stored.user }
      : { status: 'anonymous' }
  }

  get state(): AuthState {
    return this.current
  }

  get user(): User | null {
    return this.stored ? this.stored.user : null
  }

  /** The listener is called at once with the current state, then on every change. */
  subscribe(listener: AuthListener): () => void {
    this.listeners.add(listener)
    listener(this.current)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** The stored token while it is comfortably before its expiry; null otherwise. */
  validToken(): string | null {
    const { stored } = this
    if (!stored) return null
    return this.platform.now() < stored.expiresAt - this.config.expirySkewMs ? stored.token : null
  }

  /**
   * The token held now, however close to its expiry: for a step that may not log in (a consent
   * callback), where the server, not our clock, decides whether it still counts.
   */
  heldToken(): string | null {
    return this.stored ? this.stored.token : null
  }

  /** App launch: a warm start keeps its token and makes no call; a cold start logs in silently. */
  start(): void {
    // The outcome is in `state`; callers that need the session await ensure() themselves.
    this.login().catch(() => undefined)
  }

  /** A token to send: the stored one, or the one of the login in flight, or a new login's. */
  async ensure(): Promise<string> {
    if (this.inflight) return (await this.inflight).token
    const token = this.validToken()
    if (token !== null) return token
    this.refuseSilentLogin()
    return (await this.login()).token
  }

  /**
   * Single-flight: every caller during a login shares it. Each try asks wx.login for a fresh code,
   * since a code is single-use and a failed try may already have spent it.
   */
  login(options: { force?: boolean } = {}): Promise<Stored> {
    this.stayOut = false
    if (this.inflight) return this.inflight
    if (!options.force && this.validToken() !== null && this.stored) {
      // 重试 after storage refused the session: no new login, only another try at saving it.
      if (this.unsaved) this.save(this.stored)
      return Promise.resolve(this.stored)
    }
    const epoch = this.epoch
    this.emit({ status: 'logging-in' })
    let freshCode = false
    const retryable = (err: AuthError) => {
      // A code that expired (the app slept past its 5 minutes) or was spent deserves one new code.
      if (err.code === 'WECHAT_CODE_INVALID' && !freshCode) return (freshCode = true)
      return err.transient
    }
    const flight = withRetry(() => this.loginOnce(), this.config.retry, this.platform, retryable)
      .then((stored) => {
        if (epoch !== this.epoch) throw new AuthError('NOT_LOGGED_IN', 'logged out during login')
        this.save(stored)
        return stored
      })
      // Whatever failed, before or after the answer, the state leaves logging-in: a page never
      // spins without a 重试. A forced login (WeChat's session renewed before a tap) that fails
      // leaves a token held as good as it was: the state goes back to it, and the failure is its
      // caller's to show.
      .catch((err: unknown) => {
        const error = toAuthError(err)
        if (epoch === this.epoch) {
          if (this.stored && this.validToken() !== null && !this.unsaved) {
            this.emit({ status: 'logged-in', user: this.stored.user })
          } else {
            this.emit({ status: 'error', error })
          }
        }
        throw error
      })
    this.inflight = flight
    const settle = () => {
      if (this.inflight === flight) this.inflight = null
    }
    flight.then(settle, settle)
    return flight
  }

  /**
   * Before a step that needs the backend's session_key (a phone-number or user-info tap): WeChat's
   * checkSession tells whether the key of our last login still lives; if not, log in now, before the
   * tap, because a login inside the tap's callback could rotate the key its payload was sealed with.
   */
  async ensureWechatSession(): Promise<void> {
    if (this.inflight) {
      await this.inflight
      return
    }
    if (this.validToken() === null) {
      this.refuseSilentLogin()
      await this.login()
      return
    }
    if (this.unredeemed || !(await this.platform.checkSession())) await this.login({ force: true })
  }

  /** Forgets `token` if it is still the current one; a late 401 for an older token changes nothing. */
  invalidate(token: string): void {
    if (!this.stored || this.stored.token !== token) return
    this.clear()
  }

  /** A newer copy of the user from the backend (a saved phone or profile). */
  setUser(user: User): void {
    if (!this.stored) return
    this.save({ ...this.stored, user })
  }

  /** Clears the token at once; telling the backend is best effort, the token expires anyway. */
  async logout(): Promise<void> {
    const token = this.stored ? this.stored.token : null
    this.forget()
    if (token === null) return
    try {
      await this.http.send({ path: this.config.endpoints.logout, method: 'POST', token })
    } catch {
      // Offline or already expired: the local session is gone, which is what the user asked for.
    }
  }

  /**
   * The backend has ended the session itself (every session logged out, the account deleted):
   * it is forgotten here, with no call. `stayOut`: no silent login either (a request, a page
   * readied) until login() is asked for, since one would make a new account; the next launch
   * starts afresh.
   */
  forget(stayOut = false): void {
    this.epoch++
    // A login already under way belongs to the old session: the next login() starts its own.
    this.inflight = null
    this.stayOut = stayOut
    this.clear()
  }

  private refuseSilentLogin(): void {
    if (this.stayOut) throw new AuthError('NOT_LOGGED_IN', 'the account was deleted')
  }

  private async loginOnce(): Promise<Stored> {
    const code = await this.platform.login(this.config.timeoutMs)
    this.unredeemed = true
    const { token, expiresIn, user } = await this.http.send({
      path: this.config.endpoints.login,
      method: 'POST',
      data: { code },
      answer: LOGIN_ANSWER,
    })
    this.unredeemed = false
    return { token, expiresAt: this.platform.now() + expiresIn * 1000, user }
  }

  /**
   * The session lives in memory first: this run uses it even when storage refuses it. The state
   * then says so (STORAGE_FAILED, with 重试, which tries to save again), since the next launch
   * would have to log in anew.
   */
  private save(stored: Stored): void {
    this.stored = stored
    try {
      this.platform.setStorage(this.config.storageKey, stored)
    } catch (err) {
      this.unsaved = true
      // An older session left in storage would only be sent, and refused, at the next launch.
      this.persist(() => this.platform.removeStorage(this.config.storageKey))
      this.emit({
        status: 'error',
        error: new AuthError(
          'STORAGE_FAILED',
          `the session is kept in memory only: ${errorText(err)}`,
        ),
      })
      return
    }
    this.unsaved = false
    this.emit({ status: 'logged-in', user: stored.user })
  }

  private clear(): void {
    this.stored = null
    this.unsaved = false
    this.persist(() => this.platform.removeStorage(this.config.storageKey))
    this.emit({ status: 'anonymous' })
  }

  /**
   * Storage can fail (its 10 MB used up, setStorageSync throws). The session in memory still
   * serves this run; the next launch simply logs in again, silently.
   */
  private persist(write: () => void): void {
    try {
      write()
    } catch (err) {
      console.warn(`auth: storage failed, the session in memory stands: ${errorText(err)}`)
    }
  }

  private read(): Stored | null {
    let value: unknown
    try {
      value = this.platform.getStorage(this.config.storageKey)
    } catch (err) {
      console.warn(`auth: the stored session cannot be read: ${errorText(err)}`)
      return null
    }
    const stored = storedSession(value)
    if (stored && this.platform.now() < stored.expiresAt) return stored
    // Expired, or written by an older version: start clean rather than send garbage.
    if (value !== '' && value !== undefined) {
      this.persist(() => this.platform.removeStorage(this.config.storageKey))
    }
    return null
  }

  /** One page's failing listener neither stalls a login nor keeps the news from the others. */
  private emit(state: AuthState): void {
    this.current = state
    this.listeners.forEach((listener) => {
      try {
        listener(state)
      } catch (err) {
        console.error('auth: a session listener failed', err)
      }
    })
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function storedSession(value: unknown): Stored | null {
  try {
    return read(STORED, value, 'the stored session')
  } catch {
    return null
  }
}
