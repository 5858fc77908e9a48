/**
 * The part of JSON Schema (2020-12, as OpenAPI 3.1 speaks it) the contract's answers are written
 * in: small enough that the mini-program checks answers with a few lines of its own, since the
 * usual validators compile schemas into code and WeChat allows neither eval nor new Function.
 * Each answer schema `satisfies Schema`, so a keyword the client could not check fails the build.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts'

export type JsonType = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'null'

export interface Schema {
  readonly type: JsonType | readonly JsonType[]
  readonly description?: string
  readonly properties?: { readonly [name: string]: Schema }
  readonly required?: readonly string[]
  /** Always false in the contract: an answer carries what it names, nothing else. */
  readonly additionalProperties?: false
  readonly enum?: readonly (string | number | boolean | null)[]
  /** In code points, as JSON Schema counts. */
  readonly minLength?: number
  readonly minimum?: number
}

/**
 * The TypeScript type a schema describes: derived, never written twice. Types only. A schema
 * known only as some Schema describes `unknown` (and spares the compiler an endless expansion).
 */
export type Infer<S extends Schema> = Schema extends S
  ? unknown
  : S extends JSONSchema
    ? FromSchema<S>
    : never
