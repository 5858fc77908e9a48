import { randomBytes } from 'node:crypto'
import { API_PATHS } from '../contract'
import { expectError, expectJson, fail } from '../expect'
import type { Answer, RequestOptions } from '../http'
import { png } from '../../common/images'
import { multipart } from '../multipart'
import type { Check, Group, Kit } from '../kit'

const BEARER =
  'docs/api.md › Conventions: "Authenticated routes take the app\'s own login token: Authorization: Bearer <token>"'
const UNAUTHORIZED =
  'docs/api.md › Error codes: 401 UNAUTHORIZED "the token is missing, unknown, expired or logged out"'

interface ProtectedRoute {
  method: string
  path: string
  /** A body the route would take, so that only the token can be wrong. */
  options(): RequestOptions
}

const iv = randomBytes(16).toString('base64')
const encryptedData = randomBytes(32).toString('base64')

const PROTECTED: ProtectedRoute[] = [
  { method: 'POST', path: API_PATHS.phone, options: () => ({ json: { code: 'a-phone-code' } }) },
  { method: 'POST', path: API_PATHS.userInfo, options: () => ({ json: { encryptedData, iv } }) },
  { method: 'GET', path: API_PATHS.me, options: () => ({}) },
  { method: 'PUT', path: API_PATHS.profile, options: () => ({ json: { nickName: 'Kit' } }) },
  {
    method: 'POST',
    path: API_PATHS.avatar,
    options: () => {
      const form = multipart([
        { field: 'avatar', filename: 'a.png', contentType: 'image/png', data: png() },
      ])
      return { body: form.body, headers: { 'content-type': form.contentType } }
    },
  },
  {
    method: 'POST',
    path: API_PATHS.logout,
    options: () => ({ headers: { 'content-type': 'application/json' } }),
  },
]

/** Every protected route, with this Authorization header (or none), answers 401 UNAUTHORIZED. */
async function expectRefusedEverywhere(
  kit: Kit,
  authorization: string | null,
  what: string,
): Promise<void> {
  for (const route of PROTECTED) {
    const options = route.options()
    const headers = { ...options.headers }
    if (authorization !== null) headers.authorization = authorization
    const answer: Answer = await kit.request(route.method, route.path, { ...options, headers })
    expectError(answer, 'UNAUTHORIZED', `${route.method} ${route.path} with ${what}`)
  }
}

const missing: Check = {
  name: 'no Authorization header → 401 UNAUTHORIZED on every protected route',
  clause: UNAUTHORIZED,
  run: (kit) => expectRefusedEverywhere(kit, null, 'no Authorization header'),
}

const malformed: Check = {
  name: 'a malformed Authorization header (no token, garbage, a 4 KiB token) → 401 UNAUTHORIZED',
  clause: `${UNAUTHORIZED}; ${BEARER}`,
  async run(kit) {
    for (const header of [
      'Bearer',
      'Bearer ',
      'Bearer a b c',
      `Bearer ${'x'.repeat(4096)}`,
      '{}',
    ]) {
      await expectRefusedEverywhere(kit, header, `Authorization: ${header.slice(0, 24)}`)
    }
  },
}

const unknown: Check = {
  name: 'a token the backend never issued → 401 UNAUTHORIZED on every protected route',
  clause: UNAUTHORIZED,
  async run(kit) {
    const forged = randomBytes(32).toString('base64url')
    await expectRefusedEverywhere(kit, `Bearer ${forged}`, 'a token it never issued')
  },
}

const loggedOut: Check = {
  name: 'a logged-out token → 401 UNAUTHORIZED on every protected route',
  clause: `${UNAUTHORIZED}; docs/api.md › POST /api/auth/logout: "The token stops working at once"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const answer = await kit.request('POST', API_PATHS.logout, {
      token,
      headers: { 'content-type': 'application/json' },
    })
    if (answer.status !== 204) fail(`POST /api/auth/logout: expected 204, got ${answer.status}`)
    await expectRefusedEverywhere(kit, `Bearer ${token}`, 'a logged-out token')
  },
}

const bearerOnly: Check = {
  name: 'a valid token counts only as "Authorization: Bearer": bare, Basic, Token or in the query → 401',
  clause: BEARER,
  async run(kit) {
    const { token } = await kit.signIn()
    const attempts: [string, RequestOptions, string][] = [
      [API_PATHS.me, { headers: { authorization: token } }, 'the bare token'],
      [API_PATHS.me, { headers: { authorization: `Basic ${token}` } }, 'Authorization: Basic'],
      [API_PATHS.me, { headers: { authorization: `Token ${token}` } }, 'Authorization: Token'],
      [`${API_PATHS.me}?token=${token}`, {}, 'the token in the query'],
      [`${API_PATHS.me}?access_token=${token}`, {}, 'the token as access_token'],
    ]
    for (const [path, options, what] of attempts) {
      expectError(
        await kit.request('GET', path, options),
        'UNAUTHORIZED',
        `GET /api/me with ${what}`,
      )
    }
    expectJson(await kit.request('GET', API_PATHS.me, { token }), 'GET /api/me with Bearer <token>')
  },
}

export const tokenGroup: Group = {
  title: 'the token on every protected route',
  checks: [missing, malformed, unknown, loggedOut, bearerOnly],
}
