/**
 * Each route's answers as Fastify response schemas, error answers included: Fastify serializes
 * through them (a field they do not name never leaves, whatever a handler returns), the type
 * provider checks each handler's return against them, and docs/openapi.yaml lists them per route.
 */
import { ERROR_ANSWER, ERROR_STATUS, type ErrorCode } from '../../../miniprogram/contract'

/**
 * What any request may be answered, whatever its route (docs/api.md, Conventions): HTTP the server
 * cannot read (400), a request that arrives too slowly (408), an Expect it cannot meet (417), the
 * database down (503), a bug (500).
 */
const ANY_ROUTE = [
  'INVALID_REQUEST',
  'REQUEST_TIMEOUT',
  'EXPECTATION_FAILED',
  'STORE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const satisfies readonly ErrorCode[]

/** A route that reads a body: one over the limit, or of a type it does not take. */
export const BODY_ERRORS = [
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
] as const satisfies readonly ErrorCode[]

/** A route behind the login token. */
/** OpenAPI's security of a route behind the Bearer token (http/openapi.ts names the scheme). */
export const BEARER = [{ bearer: [] }]
export const BEARER_ERRORS = ['UNAUTHORIZED'] as const satisfies readonly ErrorCode[]

/**
 * The error answer of one status: the contract's error shape, its code narrowed to those the
 * route sends with that status.
 */
export interface ErrorAnswerSchema {
  readonly 'x-response-description': string
  readonly allOf: readonly [
    typeof ERROR_ANSWER,
    {
      readonly type: 'object'
      readonly properties: {
        readonly error: {
          readonly type: 'object'
          readonly properties: {
            readonly code: { readonly type: 'string'; readonly enum: readonly ErrorCode[] }
          }
        }
      }
    },
  ]
}

/** A success answer, with the sentence the document gives it. */
export function answer<S extends object>(schema: S, description: string): S {
  // @fastify/swagger's own keyword for a response's description; it leaves the schema as it was.
  return { ...schema, 'x-response-description': description }
}

function errorAnswer(codes: readonly ErrorCode[]): ErrorAnswerSchema {
  return {
    'x-response-description': codes.join(' or '),
    allOf: [
      ERROR_ANSWER,
      {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { type: 'string', enum: codes } } },
        },
      },
    ],
  }
}

/** The error answers of a route that sends `codes`, besides those of every route, by status. */
export function errorAnswers(
  codes: readonly ErrorCode[],
): Readonly<Record<number, ErrorAnswerSchema>> {
  const byStatus = new Map<number, ErrorCode[]>()
  const all = new Set<ErrorCode>([...codes, ...ANY_ROUTE])
  // In the table's order, so the document lists them as docs/api.md does.
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    if (!all.has(code)) continue
    const status = ERROR_STATUS[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const sorted = [...byStatus.entries()].sort(([a], [b]) => a - b)
  return Object.fromEntries(sorted.map(([status, sent]) => [status, errorAnswer(sent)]))
}
