import { API_PATHS } from '../contract'
import { summarize, expectError, fail } from '../expect'
import type { Check, Group, Kit } from '../kit'

const LOGOUT = 'docs/api.md › POST /api/auth/logout'

/** What the mini-program sends: a POST with the token and no body. */
function logout(kit: Kit, token: string) {
  return kit.request('POST', API_PATHS.logout, {
    token,
    headers: { 'content-type': 'application/json' },
  })
}

const ends: Check = {
  name: 'logout → 204 with no body; that token then gets 401 UNAUTHORIZED',
  clause: `${LOGOUT}: "204, no body. The token stops working at once"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const answer = await logout(kit, token)
    if (answer.status !== 204) fail(`POST /api/auth/logout: expected 204, got ${summarize(answer)}`)
    if (answer.body.length > 0) fail(`POST /api/auth/logout: 204 with a body, ${answer.text}`)
    expectError(
      await kit.request('GET', API_PATHS.me, { token }),
      'UNAUTHORIZED',
      'GET /api/me after it',
    )
  },
}

const onlyThatSession: Check = {
  name: 'logout ends only that session: another token of the same user still works',
  clause: `${LOGOUT}: "The token stops working" (that token: the user's other sessions are not its to end)`,
  async run(kit) {
    const phone = await kit.signIn()
    const tablet = await kit.signIn(phone.openid)
    const answer = await logout(kit, phone.token)
    if (answer.status !== 204) fail(`POST /api/auth/logout: expected 204, got ${summarize(answer)}`)
    await kit.me(tablet.token, { id: phone.userId })
  },
}

export const logoutGroup: Group = {
  title: 'logout: POST /api/auth/logout',
  checks: [ends, onlyThatSession],
}
