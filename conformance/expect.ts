import { isDeepStrictEqual } from 'node:util'
import {
  AnswerError,
  ERROR_STATUS,
  isErrorCode,
  read,
  USER,
  USER_FIELDS,
  type ErrorCode,
  type User,
} from './contract'
import type { Answer } from './http'

// What a check expects of an answer. A broken expectation throws a CheckFailure whose message
// is the short reason the table shows: what was sent, what the contract wants, what came back.

export class CheckFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CheckFailure'
  }
}

export function fail(message: string): never {
  throw new CheckFailure(message)
}

const EXCERPT = 120

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line || '(no body)'
}

function contentType(answer: Answer): string {
  return String(answer.headers['content-type'] ?? '')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Why an answer is not in the contract's one error shape, or null when it is. */
export function shapeProblem(answer: Answer): string | null {
  if (!/^application\/json\b/i.test(contentType(answer))) {
    return `its Content-Type is "${contentType(answer) || 'none'}", not application/json`
  }
  const body = answer.json
  const error = isObject(body) ? body.error : undefined
  if (
    !isObject(body) ||
    Object.keys(body).length !== 1 ||
    !isObject(error) ||
    !isDeepStrictEqual(Object.keys(error).sort(), ['code', 'message']) ||
    typeof error.message !== 'string'
  ) {
    return `its body ${excerpt(answer.text)} is not {"error":{"code","message"}}`
  }
  if (!isErrorCode(error.code))
    return `its code ${JSON.stringify(error.code)} is not the contract's`
  if (ERROR_STATUS[error.code] !== answer.status) {
    return `${error.code} goes with ${ERROR_STATUS[error.code]}, not ${answer.status}`
  }
  return null
}

/** An answer in a few words: `400 WECHAT_CODE_INVALID`, or the status and the start of the body. */
export function summarize(answer: Answer): string {
  const error = isObject(answer.json) && isObject(answer.json.error) ? answer.json.error : null
  const said =
    error && typeof error.code === 'string'
      ? `${answer.status} ${error.code}`
      : `${answer.status} ${excerpt(answer.text)}`
  return error?.code === 'RATE_LIMITED' && answer.status === 429
    ? `${said} (the backend rate-limited the kit: turn its limiter off or raise it for the run)`
    : said
}

/** Which answer, for a message: `POST /api/auth/login → 200 (in "<the check that asked>")`. */
export function where(answer: Answer): string {
  return `${answer.request} → ${answer.status}${answer.check ? ` (in "${answer.check}")` : ''}`
}

function expected(codes: readonly ErrorCode[]): string {
  return codes.map((code) => `${ERROR_STATUS[code]} ${code}`).join(' or ')
}

/** The answer is one of these errors, with its status, in the contract's shape. */
export function expectError(
  answer: Answer,
  codes: ErrorCode | readonly ErrorCode[],
  what: string,
): void {
  const allowed = [codes].flat()
  const code = isObject(answer.json) && isObject(answer.json.error) ? answer.json.error.code : null
  if (!allowed.some((allowedCode) => allowedCode === code)) {
    fail(`${what}: expected ${expected(allowed)}, got ${summarize(answer)}`)
  }
  const problem = shapeProblem(answer)
  if (problem) fail(`${what}: ${summarize(answer)}, but ${problem}`)
}

/** The answer is a 4xx in the contract's error shape: whichever code, never a success or a 5xx. */
export function expectRefused(answer: Answer, what: string): void {
  if (answer.status < 400 || answer.status >= 500) {
    fail(`${what}: expected a 4xx in the error shape, got ${summarize(answer)}`)
  }
  const problem = shapeProblem(answer)
  if (problem) fail(`${what}: ${summarize(answer)}, but ${problem}`)
}

/** A JSON object with this status (200 by default). */
export function expectJson(answer: Answer, what: string, status = 200): Record<string, unknown> {
  if (answer.status !== status) fail(`${what}: expected ${status}, got ${summarize(answer)}`)
  if (!/^application\/json\b/i.test(contentType(answer))) {
    fail(`${what}: ${answer.status} with Content-Type "${contentType(answer)}", not JSON`)
  }
  if (!isObject(answer.json)) fail(`${what}: the body ${excerpt(answer.text)} is not a JSON object`)
  return answer.json
}

/** Exactly these fields, no more, no fewer. */
export function expectFields(
  value: unknown,
  fields: readonly string[],
  what: string,
): Record<string, unknown> {
  if (!isObject(value)) fail(`${what}: ${JSON.stringify(value)} is not an object`)
  const extra = Object.keys(value).filter((key) => !fields.includes(key))
  const missing = fields.filter((field) => !Object.hasOwn(value, field))
  if (extra.length > 0 || missing.length > 0) {
    const said = [
      extra.length > 0 ? `fields the contract does not name: ${extra.join(', ')}` : '',
      missing.length > 0 ? `missing: ${missing.join(', ')}` : '',
    ]
    fail(`${what} must have exactly ${fields.join(', ')}; ${said.filter(Boolean).join('; ')}`)
  }
  return value
}

/** A User: exactly its fields, typed; `known` are the values it must have. */
export function expectUser(value: unknown, what: string, known: Partial<User> = {}): User {
  expectFields(value, USER_FIELDS, what)
  let user: User
  try {
    user = read(USER, value, what)
  } catch (error) {
    if (error instanceof AnswerError) fail(error.message)
    throw error
  }
  for (const [field, value] of Object.entries(known)) {
    const actual = user[field as keyof User]
    if (!isDeepStrictEqual(actual, value)) {
      fail(`${what}: ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`)
    }
  }
  return user
}

export function expectEqual(actual: unknown, wanted: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, wanted)) {
    fail(`${what}: got ${excerpt(JSON.stringify(actual))}, expected ${JSON.stringify(wanted)}`)
  }
}
