/**
 * docs/openapi.yaml as the oracle of every answer the server suites receive: startTestServer checks
 * each call's answer against the document's schema for its route, method and status, so a route
 * that sends a code, a status or a field the document does not name fails the suite that saw it.
 */
import { readFileSync } from 'node:fs'
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import { parse } from 'yaml'
import { OPENAPI_FILE } from '../../scripts/openapi'

interface MediaType {
  schema?: object
}

interface Response {
  content?: Record<string, MediaType>
}

interface Operation {
  security?: Record<string, string[]>[]
  requestBody?: { content: Record<string, MediaType> }
  responses: Record<string, Response>
}

export interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, object> }
  'x-error-codes': Record<string, number>
}

export const DOCUMENT = parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument

// Strict, but for `required` in an anyOf branch (PhoneBody: a code, or encryptedData and iv), a
// standard idiom strict mode would want the properties repeated for.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true })
// The document's own fields, around its schemas: known to Ajv, so strict mode checks the rest.
for (const keyword of Object.keys(DOCUMENT)) ajv.addKeyword(keyword)
ajv.addSchema(DOCUMENT, 'openapi')

const pointer = (...parts: string[]) =>
  parts.map((part) => '/' + part.replaceAll('~', '~0').replaceAll('/', '~1')).join('')

/** The compiled schema at a JSON pointer into the document; strict mode throws on a typo. */
export function validatorAt(path: string): ValidateFunction {
  const validate = ajv.getSchema(`openapi#${path}`)
  if (!validate) throw new Error(`no schema at ${path} in docs/openapi.yaml`)
  return validate
}

/** Where the document holds a schema: components, request bodies, answers. */
export function schemaPointers(): string[] {
  const pointers = Object.keys(DOCUMENT.components.schemas).map((name) =>
    pointer('components', 'schemas', name),
  )
  for (const [template, operations] of Object.entries(DOCUMENT.paths)) {
    for (const [verb, operation] of Object.entries(operations)) {
      const at = (...parts: string[]) => pointer('paths', template, verb, ...parts)
      for (const type of Object.keys(operation.requestBody?.content ?? {})) {
        pointers.push(at('requestBody', 'content', type, 'schema'))
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const type of Object.keys(response.content ?? {})) {
          pointers.push(at('responses', status, 'content', type, 'schema'))
        }
      }
    }
  }
  return pointers
}

/** The document's path template that `path` falls under, e.g. /avatars/{file}. */
export function templateOf(path: string): string | null {
  for (const template of Object.keys(DOCUMENT.paths)) {
    const pattern = template.replace(/\{[^}]+\}/g, '[^/]+')
    if (new RegExp(`^${pattern}$`).test(path)) return template
  }
  return null
}

export interface Answer {
  status: number
  contentType: string | null
  text: string
}

function failing(validate: ValidateFunction, body: unknown): string | null {
  if (validate(body)) return null
  return ajv.errorsText(validate.errors, { dataVar: 'body' })
}

/** Why `answer` is not what the document says `method path` answers, or null when it is. */
export function contractViolation(method: string, url: string, answer: Answer): string | null {
  const path = url.split('?')[0]
  const template = templateOf(path)
  // Fastify answers HEAD with what GET would, without the body.
  const verb = method === 'HEAD' ? 'get' : method.toLowerCase()
  const operation = template === null ? undefined : DOCUMENT.paths[template][verb]
  const type = answer.contentType?.split(';')[0].trim() ?? null
  if (!operation) {
    // Not a route of the contract: whatever it is, an error answer is an Error with its status.
    if (answer.status < 400) return `${method} ${path} answered ${answer.status}, but is no route`
    if (type !== 'application/json') return `${method} ${path} answered ${type}, not an Error`
    const body = JSON.parse(answer.text) as { error?: { code?: string } }
    const problem = failing(validatorAt(pointer('components', 'schemas', 'Error')), body)
    if (problem) return `${method} ${path} ${answer.status}: ${problem}`
    const code = body.error?.code ?? ''
    const status = DOCUMENT['x-error-codes'][code]
    return status === answer.status ? null : `${code} is HTTP ${status}, not ${answer.status}`
  }
  const where = `${method} ${template} ${answer.status}`
  const response = operation.responses[String(answer.status)]
  if (!response) return `${where}: the document lists no such status for this route`
  if (!response.content) return answer.text === '' ? null : `${where}: a body where none is`
  if (method === 'HEAD') return null
  if (type === null || !response.content[type]) return `${where}: ${type} is not documented`
  if (type !== 'application/json') return null
  const schema = pointer(
    'paths',
    template!,
    verb,
    'responses',
    String(answer.status),
    'content',
    type,
    'schema',
  )
  const problem = failing(validatorAt(schema), JSON.parse(answer.text))
  return problem && `${where}: ${problem}`
}

/** Throws when the answer is not what the document says. */
export function checkAnswer(method: string, url: string, answer: Answer): void {
  const violation = contractViolation(method, url, answer)
  if (violation) throw new Error(`not as docs/openapi.yaml says: ${violation}\n${answer.text}`)
}

/** The same check for an answer read off a raw socket (head and body as they came). */
export function checkRawAnswer(
  method: string,
  path: string,
  raw: { head: string; body: string },
): void {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw.head)?.[1])
  const contentType = /\r\ncontent-type: ([^\r]*)/i.exec(raw.head)?.[1] ?? null
  checkAnswer(method, path, { status, contentType, text: raw.body })
}
