import { API_PATHS, type ErrorCode } from '../contract'
import { expectError, expectRefused } from '../expect'
import type { RequestOptions } from '../http'
import type { Check, Group, Kit } from '../kit'

// Bad input gets a 4xx in the one error shape, never a 5xx, never a dropped connection: a
// battery of what clients, proxies and attackers send. Each body goes where a valid token
// would let it through, so that only the body is wrong.

const SHAPE = 'docs/api.md › Conventions: "Every error has this shape, and only this shape"'
const NEVER_500 =
  'docs/api.md › Error codes: 500 INTERNAL_ERROR "a bug; the server never answers 500 to bad input"'
const MALFORMED_HTTP =
  'docs/api.md › Conventions: "Malformed HTTP (a bad URL, oversized headers) gets the same shape: 400 INVALID_REQUEST"'

/** The JSON routes, each with a token when it takes one. */
async function jsonRoutes(kit: Kit): Promise<{ method: string; path: string; token?: string }[]> {
  const { token } = await kit.signIn()
  return [
    { method: 'POST', path: API_PATHS.login },
    { method: 'POST', path: API_PATHS.phone, token },
    { method: 'POST', path: API_PATHS.userInfo, token },
    { method: 'PUT', path: API_PATHS.profile, token },
  ]
}

/** Sends each raw body as JSON to every JSON route; each answer must be one of `codes`. */
async function sendBodies(
  kit: Kit,
  bodies: string[],
  codes: ErrorCode | ErrorCode[] | 'any 4xx',
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<void> {
  for (const route of await jsonRoutes(kit)) {
    for (const body of bodies) {
      const options: RequestOptions = { token: route.token, body, headers }
      const answer = await kit.request(route.method, route.path, options)
      const what = `${route.method} ${route.path} with ${headers['content-type'] ?? 'no Content-Type'} ${JSON.stringify(body.slice(0, 40))}`
      if (codes === 'any 4xx') expectRefused(answer, what)
      else expectError(answer, codes, what)
    }
  }
}

/** After abuse, the backend still signs a user in: it neither crashed nor kept bad state. */
async function stillWorks(kit: Kit): Promise<void> {
  await kit.signIn()
}

const notJson: Check = {
  name: 'a body that is not JSON (truncated, trailing comma, single quotes, text) → 400 INVALID_REQUEST on every JSON route',
  clause: `docs/api.md › Conventions: "Every request and response body is JSON"; › Error codes: 400 INVALID_REQUEST "the body … is malformed"; ${NEVER_500}`,
  async run(kit) {
    await sendBodies(kit, ['{"code":', '{"code":"x",}', "{'code':'x'}", 'hello'], 'INVALID_REQUEST')
    await stillWorks(kit)
  },
}

const notObject: Check = {
  name: 'JSON that is not an object (null, an array, a string, a number, true) → 400 INVALID_REQUEST',
  clause: `docs/api.md › Routes: every body is an object of named fields; › Error codes: 400 INVALID_REQUEST "types"; ${NEVER_500}`,
  run: (kit) => sendBodies(kit, ['null', '[]', '"code"', '42', 'true'], 'INVALID_REQUEST'),
}

const oddJson: Check = {
  name: 'odd JSON (5,000 levels deep, __proto__, constructor, a lone surrogate, duplicate keys, 1e999, a BOM) → a 4xx in the error shape, and logins still work',
  clause: `${NEVER_500}; ${SHAPE}`,
  async run(kit) {
    const deep = `{"code":${'['.repeat(5000)}${']'.repeat(5000)}}`
    const bodies = [
      deep,
      '{"__proto__":{"code":"x","isAdmin":true}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '{"code":"\\ud800"}',
      '{"code":"a","code":"b"}',
      '{"code":1e999}',
      '\ufeff{"code":"x"}',
    ]
    await sendBodies(kit, bodies, 'any 4xx')
    await stillWorks(kit)
  },
}

const tooLarge: Check = {
  name: 'a 2 MiB JSON body → 413 PAYLOAD_TOO_LARGE on every JSON route',
  clause: `docs/api.md › Error codes: 413 PAYLOAD_TOO_LARGE "the body (or the avatar) is over the limit"; ${NEVER_500}`,
  async run(kit) {
    await sendBodies(
      kit,
      [JSON.stringify({ code: 'a'.repeat(2 * 1024 * 1024) })],
      'PAYLOAD_TOO_LARGE',
    )
    await stillWorks(kit)
  },
}

const wrongType: Check = {
  name: 'a JSON route sent text/plain, a form, or multipart → 415 UNSUPPORTED_MEDIA_TYPE',
  clause:
    'docs/api.md › Conventions: "Every request … body is JSON (Content-Type: application/json)"; › Error codes: 415 UNSUPPORTED_MEDIA_TYPE "a wrong Content-Type"',
  async run(kit) {
    await sendBodies(kit, ['{"code":"x"}'], 'UNSUPPORTED_MEDIA_TYPE', {
      'content-type': 'text/plain',
    })
    await sendBodies(kit, ['code=x'], 'UNSUPPORTED_MEDIA_TYPE', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    const multipart = '--b\r\nContent-Disposition: form-data; name="code"\r\n\r\nx\r\n--b--\r\n'
    await sendBodies(kit, [multipart], 'UNSUPPORTED_MEDIA_TYPE', {
      'content-type': 'multipart/form-data; boundary=b',
    })
  },
}

const wrongMethod: Check = {
  name: 'a route called with a method it does not take → 404 NOT_FOUND',
  clause:
    'docs/api.md › Error codes: 404 NOT_FOUND "no such route"; the table has no other code for it',
  async run(kit) {
    const { token } = await kit.signIn()
    const calls: [string, string][] = [
      ['GET', API_PATHS.login],
      ['PUT', API_PATHS.login],
      ['DELETE', API_PATHS.profile],
      ['POST', API_PATHS.me],
      ['PATCH', API_PATHS.profile],
      ['GET', API_PATHS.logout],
      ['GET', API_PATHS.avatar],
    ]
    for (const [method, path] of calls) {
      expectError(await kit.request(method, path, { token }), 'NOT_FOUND', `${method} ${path}`)
    }
  },
}

const unknownRoute: Check = {
  name: 'unknown routes, and paths that climb out of /avatars → 404 NOT_FOUND',
  clause: 'docs/api.md › Error codes: 404 NOT_FOUND "no such route or file"',
  async run(kit) {
    const { token } = await kit.signIn()
    const paths = [
      '/api/nope',
      '/api/auth/nope',
      '/api/me/nope',
      '/avatars/',
      '/avatars/../../package.json',
      '/avatars/..%2F..%2Fpackage.json',
      '/avatars/%2e%2e/%2e%2e/etc/passwd',
    ]
    for (const path of paths) {
      expectError(await kit.request('GET', path, { token }), 'NOT_FOUND', `GET ${path}`)
    }
  },
}

const badUrl: Check = {
  name: 'a URL that is not valid percent-encoding → 400 INVALID_REQUEST',
  clause: MALFORMED_HTTP,
  async run(kit) {
    for (const path of ['/api/%E0%A4%A', '/api/me/%zz']) {
      expectError(await kit.request('GET', path), 'INVALID_REQUEST', `GET ${path}`)
    }
  },
}

const badHttp: Check = {
  name: 'malformed HTTP (a request line that is not HTTP, a control character in a header) → 400 INVALID_REQUEST',
  clause: MALFORMED_HTTP,
  async run(kit) {
    const { host } = kit.backend.base
    const me = kit.backend.pathOf(API_PATHS.me)
    const requests: [string, string][] = [
      ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
      [
        'a control character in a header',
        `GET ${me} HTTP/1.1\r\nHost: ${host}\r\nX-A: \u0001\r\n\r\n`,
      ],
    ]
    for (const [what, bytes] of requests) {
      expectError(await kit.backend.raw(bytes, what), 'INVALID_REQUEST', what)
    }
    await stillWorks(kit)
  },
}

const bigHeaders: Check = {
  name: "headers over 32 KiB → 400 INVALID_REQUEST (or, where the backend takes that much, the route's own 401)",
  clause: MALFORMED_HTTP,
  async run(kit) {
    const what = 'GET /api/me with 32 KiB of headers and no token'
    const bytes =
      `GET ${kit.backend.pathOf(API_PATHS.me)} HTTP/1.1\r\nHost: ${kit.backend.base.host}\r\n` +
      `X-Padding: ${'a'.repeat(32 * 1024)}\r\n\r\n`
    expectError(await kit.backend.raw(bytes, what), ['INVALID_REQUEST', 'UNAUTHORIZED'], what)
    await stillWorks(kit)
  },
}

export const malformedGroup: Group = {
  title: 'malformed input: a 4xx in the error shape, never a 5xx',
  checks: [
    notJson,
    notObject,
    oddJson,
    tooLarge,
    wrongType,
    wrongMethod,
    unknownRoute,
    badUrl,
    badHttp,
    bigHeaders,
  ],
}
