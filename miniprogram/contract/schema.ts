/**
 * The part of JSON Schema (2020-12, as OpenAPI 3.1 speaks it) the contract's answers are written
 * in: small enough that the mini-program checks answers with a few lines of its own, since the
 * usual validators compile schemas into code and WeChat allows neither eval nor new Function.
 * Each answer schema `satisfies Schema`, so a keyword the client could not check fails the build.
 */

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
 * The TypeScript type a schema describes: derived, never written twice. Types only, and written
 * here for this subset rather than taken from a library, so that whoever uses the contract (the
 * npm package's users among them) needs nothing else to type it; test/contract/infer.types.ts
 * checks it against json-schema-to-ts for every schema of the contract. A schema known only as
 * some Schema describes `unknown` (and spares the compiler an endless expansion). An object is
 * what read() keeps of it: the named properties only, so no index signature.
 */
export type Infer<S extends Schema> = Schema extends S
  ? unknown
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : Value<S, S['type'] extends readonly (infer T)[] ? T : S['type']>

type Value<S extends Schema, T> = T extends 'object'
  ? ObjectOf<Properties<S>, Required<S>>
  : T extends 'string'
    ? string
    : T extends 'number' | 'integer'
      ? number
      : T extends 'boolean'
        ? boolean
        : T extends 'null'
          ? null
          : never

type Properties<S> = S extends { readonly properties: infer P } ? P : Record<never, Schema>
type Required<S> = S extends { readonly required: readonly (infer R)[] } ? R : never

type ObjectOf<P, R> = Flat<
  { -readonly [K in keyof P & R]: P[K] extends Schema ? Infer<P[K]> : never } & {
    -readonly [K in Exclude<keyof P, R>]?: P[K] extends Schema ? Infer<P[K]> : never
  }
>

/** One object type, not an intersection of two, as an editor shows it. */
type Flat<T> = { [K in keyof T]: T[K] }
