import { png } from '../../common/images'
import { ACCOUNT_EXPORT, AnswerError, API_PATHS, EXPORT_FIELDS, read, type User } from '../contract'
import {
  expectEqual,
  expectError,
  expectFields,
  expectJson,
  expectUser,
  fail,
  summarize,
} from '../expect'
import type { Answer } from '../http'
import type { Check, Group, Kit, Session } from '../kit'
import { multipart } from '../multipart'

// The user's own account (docs/api.md › Conventions, "Personal information"): the data export,
// unbinding the phone, logging out everywhere, 注销. A group of its own, which `--skip account`
// leaves out for a backend that has not built it yet: reported as skipped, never as passed.

const EXPORT = 'docs/api.md › GET /api/me/export'
const UNBIND = 'docs/api.md › DELETE /api/me/phone'
const LOGOUT_ALL = 'docs/api.md › POST /api/auth/logout-all'
const DELETE = 'docs/api.md › DELETE /api/me'

const JSON_HEADERS = { 'content-type': 'application/json' }

/** The account routes, as the mini-program calls them. */
const ROUTES = [
  ['GET', API_PATHS.export],
  ['DELETE', API_PATHS.unbindPhone],
  ['POST', API_PATHS.logoutAll],
  ['DELETE', API_PATHS.me],
] as const

function call(kit: Kit, method: string, path: string, token: string): Promise<Answer> {
  return kit.request(method, path, method === 'GET' ? { token } : { token, headers: JSON_HEADERS })
}

function expectNoContent(answer: Answer, what: string): void {
  if (answer.status !== 204) fail(`${what}: expected 204, got ${summarize(answer)}`)
  if (answer.body.length > 0) fail(`${what}: 204 with a body, ${answer.text}`)
}

/** A user with a number bound by code, as the phone checks do it. */
async function withPhone(kit: Kit, session: Session, phoneNumber: string): Promise<void> {
  const { code } = await kit.emulator.mintPhone(session.openid, { phoneNumber })
  const what = 'binding a number first (POST /api/auth/phone with a code)'
  expectJson(
    await kit.request('POST', API_PATHS.phone, { token: session.token, json: { code } }),
    what,
  )
}

/** Each device's token answers 401 UNAUTHORIZED now. */
async function expectSignedOut(kit: Kit, devices: Record<string, Session>): Promise<void> {
  for (const [device, session] of Object.entries(devices)) {
    expectError(
      await kit.request('GET', API_PATHS.me, { token: session.token }),
      'UNAUTHORIZED',
      `GET /api/me with ${device}'s token after it`,
    )
  }
}

function isoTime(value: unknown, what: string): number {
  const time = typeof value === 'string' ? Date.parse(value) : NaN
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(String(value)) || Number.isNaN(time)) {
    fail(`${what}: ${JSON.stringify(value)} is not an ISO 8601 time in UTC`)
  }
  return time
}

const everything: Check = {
  name: 'GET /api/me/export → 200 with exactly its fields: the user with the full number, their own unionid, ISO times, the sessions open; Cache-Control: no-store',
  clause: `${EXPORT}: "Everything held about the user, for them to keep … user carries the full phone number … unionid is theirs too … Times are ISO 8601 in UTC … sessions.open counts the sessions open now … Cache-Control: no-store"`,
  async run(kit) {
    const phone = await kit.signIn()
    const tablet = await kit.signIn(phone.openid)
    await withPhone(kit, tablet, '13912345678')
    const what = 'GET /api/me/export'
    const answer = await call(kit, 'GET', API_PATHS.export, tablet.token)
    const body = expectFields(expectJson(answer, what), EXPORT_FIELDS, `${what}: the answer`)
    try {
      read(ACCOUNT_EXPORT, body, what)
    } catch (error) {
      if (error instanceof AnswerError) fail(error.message)
      throw error
    }
    const user: User = await kit.me(tablet.token)
    expectUser(body.user, `${what}: user`, { ...user, phoneNumber: '13912345678' })
    const { unionid } = await kit.emulator.held(phone.openid)
    expectEqual(body.unionid, unionid, `${what}: unionid`)
    const sessions = body.sessions as { open: unknown; since: unknown }
    expectEqual(sessions.open, 2, `${what}: sessions.open (signed in on two devices)`)
    const created = isoTime(body.createdAt, `${what}: createdAt`)
    const exported = isoTime(body.exportedAt, `${what}: exportedAt`)
    for (const [field, value] of [
      ['lastLoginAt', body.lastLoginAt],
      ['sessions.since', sessions.since],
    ] as const) {
      if (value !== null && isoTime(value, `${what}: ${field}`) > exported) {
        fail(`${what}: ${field} ${String(value)} is after exportedAt`)
      }
    }
    if (created > exported) fail(`${what}: createdAt is after exportedAt`)
    const cache = String(answer.headers['cache-control'] ?? '')
    if (!/\bno-store\b/.test(cache)) {
      fail(`${what}: Cache-Control is "${cache}", not no-store: a proxy may keep a copy`)
    }
  },
}

const unbind: Check = {
  name: 'DELETE /api/me/phone → 200 {user} without the number, GET /api/me agrees; unbinding again → the same',
  clause: `${UNBIND}: "Unbinds the user's phone number: 200 { user: User }, its phoneNumber null. Unbinding again answers the same"`,
  async run(kit) {
    const session = await kit.signIn()
    await withPhone(kit, session, '13912345678')
    for (const time of ['', ' again']) {
      const what = `DELETE /api/me/phone${time}`
      const body = expectJson(await call(kit, 'DELETE', API_PATHS.unbindPhone, session.token), what)
      expectUser(body.user, `${what}: user`, { id: session.userId, phoneNumber: null })
    }
    await kit.me(session.token, { phoneNumber: null })
  },
}

const logoutAll: Check = {
  name: 'POST /api/auth/logout-all → 204; every token of the user then 401, another user’s still works, the account stays',
  clause: `${LOGOUT_ALL}: "204, no body. Ends every session of the user, on every device, this one included … A second call with the same token is a 401 too"`,
  async run(kit) {
    const phone = await kit.signIn()
    const tablet = await kit.signIn(phone.openid)
    const other = await kit.signIn()
    expectNoContent(
      await call(kit, 'POST', API_PATHS.logoutAll, tablet.token),
      'POST /api/auth/logout-all',
    )
    await expectSignedOut(kit, { 'the phone': phone, 'the tablet': tablet })
    await kit.me(other.token, { id: other.userId })
    expectError(
      await call(kit, 'POST', API_PATHS.logoutAll, tablet.token),
      'UNAUTHORIZED',
      'POST /api/auth/logout-all again',
    )
    const back = await kit.signIn(phone.openid)
    expectEqual(back.userId, phone.userId, 'a login of the same openid after it: user.id')
  },
}

const deletes: Check = {
  name: 'DELETE /api/me → 204; every token of the user 401, the avatar URL 404, a second DELETE 401; the same openid then makes a new, empty user',
  clause: `${DELETE}: "204, no body … every token of theirs answers 401 UNAUTHORIZED (a second DELETE too, never a 500), the avatar's URL answers 404, and a new login with the same openid makes a new, empty user with a new id"`,
  async run(kit) {
    const phone = await kit.signIn()
    const tablet = await kit.signIn(phone.openid)
    await withPhone(kit, phone, '13912345678')
    expectJson(
      await kit.request('PUT', API_PATHS.profile, {
        token: phone.token,
        json: { nickName: 'Kit' },
      }),
      'setting a nickname first (PUT /api/me/profile)',
    )
    const form = multipart([
      { field: 'avatar', filename: 'a.png', contentType: 'image/png', data: png() },
    ])
    const uploaded = expectJson(
      await kit.request('POST', API_PATHS.avatar, {
        token: phone.token,
        body: form.body,
        headers: { 'content-type': form.contentType },
      }),
      'uploading an avatar first (POST /api/me/avatar)',
    )
    const avatarUrl = String(uploaded.avatarUrl)

    expectNoContent(await call(kit, 'DELETE', API_PATHS.me, tablet.token), 'DELETE /api/me')
    await expectSignedOut(kit, { 'the phone': phone, 'the tablet': tablet })
    const served = await kit.backend.get(avatarUrl)
    if (served.status !== 404)
      fail(`GET ${avatarUrl} after it: expected 404, got ${summarize(served)}`)
    expectError(
      await call(kit, 'DELETE', API_PATHS.me, phone.token),
      'UNAUTHORIZED',
      'DELETE /api/me again',
    )
    const back = await kit.signIn(phone.openid)
    if (back.userId === phone.userId) {
      fail(`a login of the same openid after it: the same user.id ${back.userId}, not a new user`)
    }
    await kit.me(back.token, { nickName: null, avatarUrl: null, phoneNumber: null })
  },
}

const tokenNeeded: Check = {
  name: 'each account route without a token → 401 UNAUTHORIZED, and changes nothing',
  clause: `docs/api.md › Conventions: "every Bearer route 401 UNAUTHORIZED"; ${DELETE} (Bearer)`,
  async run(kit) {
    const session = await kit.signIn()
    await withPhone(kit, session, '13912345678')
    for (const [method, path] of ROUTES) {
      const answer = await kit.request(
        method,
        path,
        method === 'GET' ? {} : { headers: JSON_HEADERS },
      )
      expectError(answer, 'UNAUTHORIZED', `${method} ${path} without a token`)
    }
    await kit.me(session.token, { id: session.userId, phoneNumber: '13912345678' })
  },
}

export const accountGroup: Group = {
  title:
    'the account: GET /api/me/export, DELETE /api/me/phone, POST /api/auth/logout-all, DELETE /api/me',
  skippable: 'account',
  checks: [tokenNeeded, everything, unbind, logoutAll, deletes],
}
