/**
 * docs/api.md is the contract in prose, docs/openapi.yaml the same contract generated from the
 * routes: where the prose states a fact the document holds — the error codes and their statuses,
 * the routes and which take the token, each body's fields, each answer's fields, the errors each
 * route can send, the User type — the two must say the same.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ERROR_STATUS, type ErrorCode } from '../../../miniprogram/contract'
import { DOCUMENT } from '../support/contract'

const API_MD = readFileSync(resolve(__dirname, '../../../docs/api.md'), 'utf8')

interface JsonSchema {
  $ref?: string
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  allOf?: JsonSchema[]
  enum?: string[]
}

interface Operation {
  security?: unknown[]
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>
}

function resolveRef(schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema
  const name = schema.$ref.replace('#/components/schemas/', '')
  return DOCUMENT.components.schemas[name] as JsonSchema
}

/** "### POST /api/auth/phone (Bearer)" → its section, to the next heading. */
function sections(): Map<string, { bearer: boolean; text: string }> {
  const routes = API_MD.slice(
    API_MD.indexOf('## Routes'),
    API_MD.indexOf('\n## ', API_MD.indexOf('## Routes') + 1),
  )
  const found = new Map<string, { bearer: boolean; text: string }>()
  for (const part of routes.split(/^### /m).slice(1)) {
    const [heading, ...rest] = part.split('\n')
    const match = /^(GET|POST|PUT|DELETE) (\S+)( \(Bearer\))?$/.exec(heading)
    if (!match) throw new Error(`a route heading docs/api.md cannot be read from: ${heading}`)
    const path = match[2].replace(/:(\w+)/g, '{$1}')
    found.set(`${match[1]} ${path}`, { bearer: match[3] !== undefined, text: rest.join('\n') })
  }
  return found
}

function operations(): Map<string, Operation> {
  const found = new Map<string, Operation>()
  for (const [path, byMethod] of Object.entries(DOCUMENT.paths)) {
    for (const [method, operation] of Object.entries(byMethod)) {
      found.set(`${method.toUpperCase()} ${path}`, operation as Operation)
    }
  }
  return found
}

/** The field names at the top level of the first `{ … }` in `text` (not values), `?` kept. */
function topLevelFields(text: string): string[] {
  const names: string[] = []
  let depth = 0
  for (const match of text.matchAll(/[{}]|(?<!:\s*)"(\w+)"(\??)/g)) {
    if (match[0] === '{') depth++
    else if (match[0] === '}') {
      if (--depth === 0) break
    } else if (depth === 1) names.push(match[1] + match[2])
  }
  return names
}

/** The codes an operation answers, by status, from its error answers' enums. */
function codesOf(operation: Operation): Map<ErrorCode, number> {
  const codes = new Map<ErrorCode, number>()
  for (const [status, response] of Object.entries(operation.responses)) {
    const schema = response.content?.['application/json']?.schema
    for (const part of schema?.allOf ?? []) {
      for (const code of part.properties?.error.properties?.code.enum ?? []) {
        codes.set(code as ErrorCode, Number(status))
      }
    }
  }
  return codes
}

/** What docs/api.md › Conventions says every route, body route, Bearer route or auth route sends. */
function generalCodes(key: string, operation: Operation): ErrorCode[] {
  const codes: ErrorCode[] = [
    'INVALID_REQUEST',
    'REQUEST_TIMEOUT',
    'EXPECTATION_FAILED',
    'INTERNAL_ERROR',
    'STORE_UNAVAILABLE',
  ]
  if (operation.requestBody) codes.push('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
  if (operation.security) codes.push('UNAUTHORIZED')
  if (key.includes(' /api/auth/')) codes.push('RATE_LIMITED')
  return codes
}

describe('docs/api.md and docs/openapi.yaml', () => {
  it('list the same error codes with the same HTTP status', () => {
    const table = new Map<string, number>()
    for (const [, status, code] of API_MD.matchAll(/^\| (\d{3}) +\| `([A-Z_]+)` +\|/gm)) {
      table.set(code, Number(status))
    }
    expect(Object.fromEntries(table)).toEqual(ERROR_STATUS)
    expect(DOCUMENT['x-error-codes']).toEqual(ERROR_STATUS)
  })

  it('describe the same routes, and the same ones behind the token', () => {
    const prose = sections()
    const document = operations()
    expect([...prose.keys()].sort()).toEqual([...document.keys()].sort())
    for (const [key, { bearer }] of prose) {
      expect([key, bearer]).toEqual([key, document.get(key)?.security !== undefined])
    }
  })

  it('give each JSON body the same fields, the same ones required', () => {
    for (const [key, { text }] of sections()) {
      const schema = document(key).requestBody?.content['application/json']?.schema
      const properties = schema && resolveRef(schema)
      const named = Object.keys(properties?.properties ?? {})
      if (named.length === 0) continue
      const body = text.slice(text.indexOf('Body'))
      const required = properties?.required ?? []
      expect([key, topLevelFields(body)]).toEqual([
        key,
        named.map((name) => (required.includes(name) ? name : `${name}?`)),
      ])
    }
  })

  it('give each JSON answer the same fields', () => {
    for (const [key, { text }] of sections()) {
      for (const status of ['200', '204']) {
        const schema = document(key).responses[status]?.content?.['application/json']?.schema
        const start = text.indexOf(`\`${status}`)
        expect([key, status, start >= 0]).toEqual([
          key,
          status,
          document(key).responses[status] !== undefined,
        ])
        if (!schema) continue
        expect([key, topLevelFields(text.slice(start))]).toEqual([
          key,
          Object.keys(resolveRef(schema).properties ?? {}),
        ])
      }
    }
  })

  it('name the same errors for each route: its own in its section, the rest in Conventions', () => {
    const conventions = API_MD.slice(
      API_MD.indexOf('## Conventions'),
      API_MD.indexOf('## Error codes'),
    )
    for (const [key, { text }] of sections()) {
      const operation = document(key)
      const codes = codesOf(operation)
      const named = new Map<string, number>()
      for (const [, status, code] of text.matchAll(/`(\d{3}) ([A-Z_]+)`/g))
        named.set(code, Number(status))
      // What the section names, the route sends, with that status.
      for (const [code, status] of named) {
        expect([key, code, codes.get(code as ErrorCode)]).toEqual([key, code, status])
      }
      // What the route sends, the section or Conventions names.
      const general = generalCodes(key, operation)
      for (const code of codes.keys()) {
        if (general.includes(code)) {
          expect([key, code, conventions.includes(`\`${ERROR_STATUS[code]} ${code}\``)]).toEqual([
            key,
            code,
            true,
          ])
        } else expect([key, code, named.has(code)]).toEqual([key, code, true])
      }
    }
  })

  it('define User with the same fields, null where the document allows it', () => {
    const block = /```ts\ninterface User \{\n([\s\S]*?)\n\}/.exec(API_MD)?.[1] ?? ''
    const prose = [...block.matchAll(/^ {2}(\w+): ([^/]*?) *(?:\/\/.*)?$/gm)].map(
      ([, name, type]) => `${name}: ${type}`,
    )
    const user = DOCUMENT.components.schemas.User as {
      properties: Record<string, { type: string | string[] }>
    }
    const document = Object.entries(user.properties).map(
      ([name, { type }]) => `${name}: ${([] as string[]).concat(type).join(' | ')}`,
    )
    expect(prose).toEqual(document)
  })
})

function document(key: string): Operation {
  const operation = operations().get(key)
  if (!operation) throw new Error(`${key} is not in docs/openapi.yaml`)
  return operation
}
