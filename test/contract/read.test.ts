/**
 * read(): the few lines that check an answer against a contract schema in the mini-program,
 * where no schema compiler can run. What it keeps, and what it refuses with the place it failed.
 */
import { USER } from '../../miniprogram/contract/answers'
import { AnswerError, read } from '../../miniprogram/contract/read'
import type { Schema } from '../../miniprogram/contract/schema'

const USER_VALUE = { id: 'u_1', nickName: '小明', avatarUrl: null, phoneNumber: null }

function refusal(schema: Schema, value: unknown): string {
  try {
    read(schema, value)
  } catch (error) {
    if (error instanceof AnswerError) return error.message
    throw error
  }
  throw new Error('read() took it')
}

describe('read()', () => {
  it('returns a copy with only the named fields, at every depth', () => {
    const answer = { user: { ...USER_VALUE, openid: 'o' }, session_key: 'k' }
    const schema = {
      type: 'object',
      properties: { user: USER },
      required: ['user'],
    } as const satisfies Schema
    const value = read(schema, answer)
    expect(value).toEqual({ user: USER_VALUE })
    expect(value.user).not.toBe(answer.user)
  })

  it('leaves out an optional field that is absent, and keeps null where null is allowed', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: ['string', 'null'] } },
      required: ['b'],
    } as const satisfies Schema
    expect(read(schema, { b: null })).toEqual({ b: null })
    expect(Object.keys(read(schema, { b: null }))).toEqual(['b'])
  })

  it.each<[string, Schema, unknown, RegExp]>([
    ['a missing field', USER, { id: 'u' }, /the answer has no nickName, avatarUrl, phoneNumber/],
    [
      'a wrong type, with where',
      USER,
      { ...USER_VALUE, nickName: 7 },
      /the answer\.nickName is integer, not string or null/,
    ],
    [
      'null where null is not allowed',
      USER,
      { ...USER_VALUE, id: null },
      /the answer\.id is null, not string/,
    ],
    ['an array for an object', USER, [USER_VALUE], /the answer is array, not object/],
    ['a string for an object', USER, 'ok', /the answer is string, not object/],
    [
      'an empty string under minLength 1',
      USER,
      { ...USER_VALUE, id: '' },
      /the answer\.id is shorter than 1/,
    ],
    ['a value outside the enum', { type: 'string', enum: ['ok'] }, 'ko', /is not one of \["ok"\]/],
    ['a number for an integer', { type: 'integer' }, 1.5, /is number, not integer/],
    ['a number below the minimum', { type: 'integer', minimum: 1 }, 0, /is below 1/],
  ])('refuses %s', (_case, schema, value, message) => {
    expect(refusal(schema, value)).toMatch(message)
  })

  it('counts minLength in code points, as JSON Schema does', () => {
    const schema = { type: 'string', minLength: 2 } as const satisfies Schema
    expect(refusal(schema, '😀')).toMatch(/shorter than 2/)
    expect(read(schema, '😀😀')).toBe('😀😀')
  })

  it('takes an integer where a number is asked', () => {
    expect(read({ type: 'number' }, 3)).toBe(3)
  })
})
