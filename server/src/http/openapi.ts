/**
 * docs/openapi.yaml is this server's routes, described by @fastify/swagger from their schemas —
 * the contract's own (miniprogram/contract) — so the document cannot say one thing while the
 * server does another. `npm run openapi` writes it; a test fails when the committed one differs.
 */
import { isDeepStrictEqual } from 'node:util'
import type { SwaggerOptions } from '@fastify/swagger'
import {
  ACCOUNT_EXPORT,
  AVATAR_ANSWER,
  AVATAR_UPLOAD,
  ERROR_ANSWER,
  ERROR_STATUS,
  HEALTH_ANSWER,
  LOGIN_ANSWER,
  LOGIN_BODY,
  PHONE_BODY,
  PHONE_NUMBER,
  PROFILE_BODY,
  USER,
  USER_ANSWER,
  USER_INFO,
  USER_INFO_ANSWER,
  USER_INFO_BODY,
} from '../../../miniprogram/contract'

/** Bump it when the document changes in a way a client or a backend would notice. */
const CONTRACT_VERSION = '1.1.0'

/** The contract's schemas the document names, so generated code gets named types. */
const NAMED: Record<string, object> = {
  User: USER,
  LoginAnswer: LOGIN_ANSWER,
  PhoneNumber: PHONE_NUMBER,
  UserInfo: USER_INFO,
  UserInfoAnswer: USER_INFO_ANSWER,
  UserAnswer: USER_ANSWER,
  AvatarAnswer: AVATAR_ANSWER,
  AccountExport: ACCOUNT_EXPORT,
  HealthAnswer: HEALTH_ANSWER,
  LoginBody: LOGIN_BODY,
  PhoneBody: PHONE_BODY,
  UserInfoBody: USER_INFO_BODY,
  ProfileBody: PROFILE_BODY,
  AvatarUpload: AVATAR_UPLOAD,
  Error: ERROR_ANSWER,
}

const DESCRIPTION = [
  "The HTTP contract between the mini-program's auth module and its backend. docs/api.md says " +
    'it in prose: why each rule exists, the table of error codes and what the client does with ' +
    "each. This document is generated from the reference server's routes (npm run openapi).",
  'Every error answer is an Error: each operation narrows its code to the codes it sends with ' +
    'each HTTP status, and x-error-codes gives every code its one status. Any request may also ' +
    'be answered 400 INVALID_REQUEST (HTTP the server cannot read), 408 REQUEST_TIMEOUT (a ' +
    'request that arrives too slowly), 500 INTERNAL_ERROR and 503 STORE_UNAVAILABLE; a path or ' +
    'method not listed answers 404 NOT_FOUND.',
  "openid and session_key never appear in any answer, nor a unionid but the user's own in their " +
    'export: every answer names each of its fields (additionalProperties: false).',
].join('\n\n')

/** `node` with each copy of a named schema in it (but `self`) replaced by a reference. */
function refer<T>(node: T, self?: string): T {
  if (Array.isArray(node)) return node.map((item: unknown) => refer(item)) as T
  if (typeof node !== 'object' || node === null) return node
  for (const [name, schema] of Object.entries(NAMED)) {
    if (name !== self && isDeepStrictEqual(node, schema)) {
      return { $ref: `#/components/schemas/${name}` } as T
    }
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, refer(value)])) as T
}

export const OPENAPI_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'weapp-login backend contract',
      version: CONTRACT_VERSION,
      description: DESCRIPTION,
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'the reference server of npm start' }],
    tags: [
      { name: 'auth', description: 'Login, the consent payloads and logout' },
      {
        name: 'me',
        description: "The signed-in user's own record: profile, data export, account deletion",
      },
      { name: 'avatars', description: 'Uploaded avatars' },
      { name: 'health', description: 'For load balancers' },
    ],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token of POST /api/auth/login: opaque, sent back as it came',
        },
      },
    },
  },
  // The contract's routes are tagged; the emulator's and the preview's are not its business.
  hideUntagged: true,
  transformObject: (document) => {
    if (!('openapiObject' in document)) throw new Error('the contract is an OpenAPI document')
    // Plain JSON from here: the OpenAPI typings of three versions at once get in the way.
    const { paths, components, ...head } = document.openapiObject as Record<string, object>
    const schemas = Object.fromEntries(
      Object.entries(NAMED).map(([name, schema]) => [name, refer(schema, name)]),
    )
    return {
      ...head,
      'x-error-codes': ERROR_STATUS,
      components: { ...components, schemas },
      paths: refer(paths),
    } as typeof document.openapiObject
  },
}
