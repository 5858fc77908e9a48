/**
 * What the user can do with their own account (PIPL's rights, and WeChat's review asks for 注销):
 * take the phone number back, log out on every device, see what is held, close the account. Each
 * goes through request(): the token, retries of what is safe to repeat, one login and replay on 401.
 */
import type { AuthConfig } from './config'
import { ACCOUNT_EXPORT, USER_ANSWER, type AccountExport, type User } from '../contract/answers'
import type { Requester } from './request'
import type { Session } from './session'

export type { AccountExport }

/** The account's actions, as createAuth gives them (auth.account). */
export type AccountFlow = ReturnType<typeof accountFlow>

// Closures, not a class: no `this.` to repeat in every consumer's bundle.
export function accountFlow(session: Session, requester: Requester, { endpoints }: AuthConfig) {
  return {
    /** The user without a phone number, kept in the session. */
    async unbindPhone(): Promise<User> {
      const { user } = await requester.request({
        path: endpoints.unbindPhone,
        method: 'DELETE',
        answer: USER_ANSWER,
      })
      session.setUser(user)
      return user
    },

    /** Every session ends, this device's too: the app is logged out. Safe to send twice. */
    async logoutAll(): Promise<void> {
      await requester.request({ path: endpoints.logoutAll, method: 'POST', idempotent: true })
      session.forget()
    },

    /** Everything the backend holds about the user, for them to see and copy. */
    exportData(): Promise<AccountExport> {
      return requester.request({ path: endpoints.export, answer: ACCOUNT_EXPORT })
    },

    /**
     * 注销: the account and all of its data are deleted. The session is forgotten and no silent
     * login follows in this run, which would make a new, empty account at once; the next
     * launch's does. A DELETE is safe to repeat: one that finds the token dead (an earlier try
     * got through, or another device logged out everywhere) logs in and deletes that account.
     */
    async deleteAccount(): Promise<void> {
      await requester.request({ path: endpoints.me, method: 'DELETE' })
      session.forget(true)
    },
  }
}
