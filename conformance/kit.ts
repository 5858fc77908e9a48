import { API_PATHS, ME_FIELDS, type User } from './contract'
import type { Emulator } from './emulator'
import { expectFields, expectJson, expectUser, fail } from './expect'
import type { Answer, Backend, RequestOptions } from './http'

/** A WeChat user signed in to the backend. */
export interface Session {
  token: string
  openid: string
  userId: string
}

/** What every check is given: the backend, WeChat's side, and the run so far. */
export class Kit {
  constructor(
    readonly backend: Backend,
    readonly emulator: Emulator,
    /** Every answer of the backend in this run, for the checks that look at all of them. */
    readonly answers: readonly Answer[],
    /** The checks in which WeChat is made to fail, where a 502 or 503 is the contract's answer. */
    readonly wechatFaultChecks: ReadonlySet<string>,
  ) {}

  request(method: string, path: string, options?: RequestOptions) {
    return this.backend.request(method, path, options)
  }

  /**
   * A wx.login and its code sent to the backend: a new WeChat user unless `openid` is given (a
   * second wx.login of that user, which gives it a new session_key). Each check signs its own
   * users in, so that one broken route does not fail the checks of the others.
   */
  async signIn(openid?: string): Promise<Session> {
    const minted = await this.emulator.mintLogin(openid)
    const answer = await this.request('POST', API_PATHS.login, { json: { code: minted.code } })
    // Only what the check needs: the shape of the answer is the login checks' business.
    const what = 'signing in (POST /api/auth/login with a fresh code)'
    const { token, user } = expectJson(answer, what)
    if (typeof token !== 'string' || token === '') fail(`${what}: no token`)
    const userId = typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : null
    if (typeof userId !== 'string') fail(`${what}: no user.id`)
    return { token, openid: minted.openid, userId }
  }

  /** GET /api/me: the user as the backend holds it now. */
  async me(token: string, known: Partial<User> = {}): Promise<User> {
    const what = 'GET /api/me'
    const body = expectFields(
      expectJson(await this.request('GET', API_PATHS.me, { token }), what),
      ME_FIELDS,
      what,
    )
    return expectUser(body.user, `${what}: user`, known)
  }
}

export interface Check {
  /** What the backend must do, in a line: the table's row. */
  name: string
  /** The words of docs/api.md this check holds the backend to, and where they are. */
  clause: string
  /** WeChat is made to fail here: a 502 or 503 is then the contract's answer, not a bug. */
  wechatFault?: true
  run(kit: Kit): Promise<void>
}

export interface Group {
  title: string
  /**
   * The name `--skip` takes to leave this group out, for a backend that has not built what it
   * checks yet; its checks are then reported as skipped, never as passed. Unset: always run.
   */
  skippable?: string
  checks: Check[]
}
