import { OpenDataError, decryptOpenData } from '../../common/open-data'
import { GROUPS } from '../checks'
import { accountGroup } from '../checks/account'
import type { Result } from '../run'
import { runKit, startReference, type Reference } from './support/kit-process'
import { jsonReply, startProxy, withJson, type Hook, type Proxy } from './support/proxy'

// Backends with a planted defect: the reference server behind a proxy that breaks one thing.
// The kit must turn exactly the matching rows red, and exit 1; the rest stays green, which shows
// the checks are independent. A wiretap between the server and the emulator tells the proxy what
// WeChat told the server (the openid and session_key of each login code), for the leaks.

interface Heard {
  openid: string
  session_key: string
}

let reference: Reference
let wiretap: Proxy
/** What WeChat's jscode2session answered the server, by login code. */
const heard = new Map<string, Heard>()

beforeAll(async () => {
  reference = await startReference(async (emulatorUrl) => {
    wiretap = await startProxy(emulatorUrl, async (request, forward) => {
      const reply = await forward()
      const code = new URL(request.path, emulatorUrl).searchParams.get('js_code')
      const session = jsonReply(reply)
      if (request.path.startsWith('/sns/jscode2session') && code && session?.session_key) {
        heard.set(code, session as unknown as Heard)
      }
      return reply
    })
    return wiretap.url
  })
}, 60_000)

afterAll(async () => {
  await reference?.close()
  await wiretap?.close()
})

const isLogin = (request: { method: string; path: string }) =>
  request.method === 'POST' && request.path === '/api/auth/login'

function loginCode(body: Buffer): string | null {
  try {
    const code: unknown = JSON.parse(body.toString('utf8')).code
    return typeof code === 'string' ? code : null
  } catch {
    return null
  }
}

/** Runs the kit (--json, and `args`) against the reference server behind this hook. */
async function runBehind(
  hook: Hook,
  args: string[] = [],
): Promise<{ code: number | null; failed: Result[]; skipped: Result[]; passed: number }> {
  const proxy = await startProxy(reference.server.url, hook)
  try {
    const run = await runKit([
      '--backend',
      proxy.url,
      '--emulator',
      reference.wechat.url,
      '--json',
      ...args,
    ])
    const report = JSON.parse(run.stdout) as { results: Result[]; passed: number }
    return {
      code: run.code,
      failed: report.results.filter((result) => !result.passed && !result.skipped),
      skipped: report.results.filter((result) => result.skipped),
      passed: report.passed,
    }
  } finally {
    await proxy.close()
  }
}

const names = (results: Result[]) => results.map((result) => result.name).sort()

it('passes every check through a proxy that plants nothing', async () => {
  const { code, failed } = await runBehind((_request, forward) => forward())
  expect(failed).toEqual([])
  expect(code).toBe(0)
}, 120_000)

it('turns the reused-code row red for a backend that answers 200 to a login code used twice', async () => {
  // The defect: a cache of code → answer, replayed instead of asking WeChat again.
  const answered = new Map<string, Awaited<ReturnType<Parameters<Hook>[1]>>>()
  const { code, failed } = await runBehind(async (request, forward) => {
    const loginWith = isLogin(request) ? loginCode(request.body) : null
    const replay = loginWith === null ? undefined : answered.get(loginWith)
    if (replay) return replay
    const reply = await forward()
    if (loginWith !== null && reply.status === 200) answered.set(loginWith, reply)
    return reply
  })
  expect(names(failed)).toEqual(['a login code used twice → 400 WECHAT_CODE_INVALID (never 401)'])
  expect(failed[0]?.reason).toContain('expected 400 WECHAT_CODE_INVALID, got 200')
  expect(code).toBe(1)
}, 120_000)

it('turns the code rows red for a backend that answers 401 to a code WeChat rejected', async () => {
  const { code, failed } = await runBehind(async (request, forward) => {
    const reply = await forward()
    const error = jsonReply(reply)?.error as { code?: string } | undefined
    if (!isLogin(request) || error?.code !== 'WECHAT_CODE_INVALID') return reply
    return withJson(
      { ...reply, status: 401 },
      { error: { code: 'UNAUTHORIZED', message: 'bad code' } },
    )
  })
  expect(names(failed)).toEqual([
    'a code WeChat never issued → 400 WECHAT_CODE_INVALID',
    'a login code used twice → 400 WECHAT_CODE_INVALID (never 401)',
  ])
  expect(code).toBe(1)
}, 120_000)

it('turns the User-fields and leak rows red for a backend that puts session_key and openid in the user', async () => {
  const { code, failed } = await runBehind(async (request, forward) => {
    const reply = await forward()
    const session = isLogin(request) ? heard.get(loginCode(request.body) ?? '') : undefined
    const body = jsonReply(reply)
    if (!session || !body || reply.status !== 200) return reply
    const user = {
      ...(body.user as object),
      openid: session.openid,
      session_key: session.session_key,
    }
    return withJson(reply, { ...body, user })
  })
  expect(names(failed)).toEqual([
    'a fresh code signs in: 200 {token, expiresIn, user}, user with exactly the User fields',
    "no answer of the run held a user's openid or unionid (but a data export its own unionid), in its body or its headers",
    "no answer of the run held a user's session_key, in its body or its headers",
  ])
  const reasons = failed.map((result) => result.reason).join('\n')
  expect(reasons).toContain('fields the contract does not name: openid, session_key')
  expect(reasons).toContain('POST /api/auth/login → 200')
  expect(code).toBe(1)
}, 120_000)

it('turns only the openid row red for a backend that sends the openid in a header', async () => {
  const { code, failed } = await runBehind(async (request, forward) => {
    const reply = await forward()
    const session = isLogin(request) ? heard.get(loginCode(request.body) ?? '') : undefined
    if (!session) return reply
    return { ...reply, headers: { ...reply.headers, 'x-wechat-openid': session.openid } }
  })
  expect(names(failed)).toEqual([
    "no answer of the run held a user's openid or unionid (but a data export its own unionid), in its body or its headers",
  ])
  expect(failed[0]?.reason).toContain('in its header x-wechat-openid')
  expect(code).toBe(1)
}, 120_000)

it('turns the malformed-JSON and 5xx rows red for a backend that answers 500 to a body that does not parse', async () => {
  const { code, failed } = await runBehind(async (request, forward) => {
    const json = /^application\/json/.test(request.headers['content-type'] ?? '')
    if (!json || request.body.length === 0) return forward()
    try {
      JSON.parse(request.body.toString('utf8'))
      return await forward()
    } catch {
      const body = { error: { code: 'INTERNAL_ERROR', message: 'Unexpected token' } }
      return {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
      }
    }
  })
  expect(names(failed)).toEqual([
    'a body that is not JSON (truncated, trailing comma, single quotes, text) → 400 INVALID_REQUEST on every JSON route',
    'no 5xx in the whole run, except where WeChat was made to fail',
    'odd JSON (5,000 levels deep, __proto__, constructor, a lone surrogate, duplicate keys, 1e999, a BOM) → a 4xx in the error shape, and logins still work',
  ])
  expect(code).toBe(1)
}, 120_000)

it('turns the two oracle rows red for a backend whose decryption failures can be told apart', async () => {
  // The defect: the message says why the payload did not open (bad padding, not JSON, another
  // app's watermark), as the reference server's did before issue 15. The proxy knows each token's
  // session_key from the wiretap, and words each refusal as such a backend would.
  const keyOfToken = new Map<string, string>()
  const { code, failed } = await runBehind(async (request, forward) => {
    const reply = await forward()
    const body = jsonReply(reply)
    if (isLogin(request) && reply.status === 200 && typeof body?.token === 'string') {
      const session = heard.get(loginCode(request.body) ?? '')
      if (session) keyOfToken.set(body.token, session.session_key)
    }
    const sealed = ['/api/auth/phone', '/api/auth/userinfo'].includes(request.path)
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? ''
    const key = keyOfToken.get(token)
    const error = body?.error as { code?: string } | undefined
    if (!sealed || !key || error?.code !== 'SESSION_KEY_STALE') return reply
    const { encryptedData, iv } = JSON.parse(request.body.toString('utf8')) as {
      encryptedData: string
      iv: string
    }
    let why = 'the decrypted data is not what was expected'
    try {
      decryptOpenData(key, encryptedData, iv)
    } catch (cause) {
      if (cause instanceof OpenDataError) why = cause.message
    }
    return withJson(reply, { error: { code: 'SESSION_KEY_STALE', message: why } })
  })
  expect(names(failed)).toEqual([
    "every way a signed payload's encryptedData fails to open → one answer, 409 SESSION_KEY_STALE, word for word",
    "every way encryptedData fails to open (its base64, its lengths, its padding, not UTF-8, not JSON, not an object, fields missing, another app's watermark) → one answer, 409 SESSION_KEY_STALE, word for word",
  ])
  expect(failed[0]?.reason).toContain('tells failures apart')
  expect(code).toBe(1)
}, 120_000)

/** The account group's checks, by name. */
const ACCOUNT_CHECKS = accountGroup.checks.map((check) => check.name).sort()
const ACCOUNT_ROUTES = [
  'GET /api/me/export',
  'DELETE /api/me/phone',
  'POST /api/auth/logout-all',
  'DELETE /api/me',
]

/** A backend that has not built the account routes yet: they are unknown routes to it. */
const withoutAccountRoutes: Hook = async (request, forward) => {
  if (!ACCOUNT_ROUTES.includes(`${request.method} ${request.path}`)) return forward()
  const body = { error: { code: 'NOT_FOUND', message: 'no such route' } }
  return {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  }
}

it('turns the account rows red for a backend without the account routes', async () => {
  const { code, failed } = await runBehind(withoutAccountRoutes)
  expect(names(failed)).toEqual(ACCOUNT_CHECKS)
  expect(code).toBe(1)
}, 120_000)

it('with --skip account, reports those rows as skipped, never passed, and passes the rest', async () => {
  const { code, failed, skipped, passed } = await runBehind(withoutAccountRoutes, [
    '--skip',
    'account',
  ])
  expect(failed).toEqual([])
  expect(names(skipped)).toEqual(ACCOUNT_CHECKS)
  expect(skipped.every((result) => !result.passed)).toBe(true)
  expect(passed).toBe(GROUPS.flatMap((group) => group.checks).length - ACCOUNT_CHECKS.length)
  expect(code).toBe(0)
}, 120_000)

it('turns the deletion row red for a backend that answers 204 to DELETE /api/me and deletes nothing', async () => {
  const { code, failed } = await runBehind(async (request, forward) => {
    if (
      request.method !== 'DELETE' ||
      request.path !== '/api/me' ||
      !request.headers.authorization
    ) {
      return forward()
    }
    return { status: 204, headers: {}, body: Buffer.alloc(0) }
  })
  expect(names(failed)).toEqual([
    'DELETE /api/me → 204; every token of the user 401, the avatar URL 404, a second DELETE 401; the same openid then makes a new, empty user',
  ])
  expect(failed[0]?.reason).toContain(
    "GET /api/me with the phone's token after it: expected 401 UNAUTHORIZED, got 200",
  )
  expect(code).toBe(1)
}, 120_000)
