/**
 * Reads a value against a contract schema (the subset of schema.ts): a copy with only the fields
 * the schema names, or an AnswerError saying where it differs. No code generation, so it runs in
 * the mini-program, where eval and new Function do not.
 */
import type { Infer, JsonType, Schema } from './schema'

export class AnswerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AnswerError'
    // DevTools may compile to ES5, where subclasses of Error lose their prototype.
    Object.setPrototypeOf(this, AnswerError.prototype)
  }
}

function typeOf(value: unknown): JsonType | 'array' | 'other' {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  const type = typeof value
  if (type === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return type === 'string' || type === 'boolean' || type === 'object' ? type : 'other'
}

function readAt(schema: Schema, value: unknown, path: string): unknown {
  const types: readonly JsonType[] = typeof schema.type === 'string' ? [schema.type] : schema.type
  const type = typeOf(value)
  // Every integer is a number.
  if (
    types.indexOf(type as JsonType) < 0 &&
    !(type === 'integer' && types.indexOf('number') >= 0)
  ) {
    throw new AnswerError(`${path} is ${type}, not ${types.join(' or ')}`)
  }
  if (schema.enum && schema.enum.indexOf(value as string) < 0) {
    throw new AnswerError(`${path} is not one of ${JSON.stringify(schema.enum)}`)
  }
  if (typeof value === 'string' && Array.from(value).length < (schema.minLength || 0)) {
    throw new AnswerError(`${path} is shorter than ${schema.minLength}`)
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    throw new AnswerError(`${path} is below ${schema.minimum}`)
  }
  if (type !== 'object') return value
  const object = value as Record<string, unknown>
  const has = (name: string) => Object.prototype.hasOwnProperty.call(object, name)
  const missing = (schema.required || []).filter((name) => !has(name))
  if (missing.length > 0) throw new AnswerError(`${path} has no ${missing.join(', ')}`)
  // Only what the schema names is copied: an unnamed field (an openid, a session_key) stays behind.
  const copy: Record<string, unknown> = {}
  const properties = schema.properties || {}
  Object.keys(properties).forEach((name) => {
    if (has(name)) copy[name] = readAt(properties[name], object[name], `${path}.${name}`)
  })
  return copy
}

/** The value as the schema describes it, unknown fields dropped; an AnswerError when it differs. */
export function read<S extends Schema>(schema: S, value: unknown, what = 'the answer'): Infer<S> {
  return readAt(schema, value, what) as Infer<S>
}
