import type Ajv from 'ajv'
import type { FastifyServerOptions } from 'fastify'
import nextVocabulary from 'ajv/dist/vocabularies/next'

// JSON Schemas for the emulator's control API: every body is an object that names each field it
// takes, so a typo is a 400, not a field silently ignored. (The contract's own schemas are in
// miniprogram/contract.)
export function objectBody(
  properties: Record<string, object>,
  required: readonly string[] = [],
): object {
  return { type: 'object', additionalProperties: false, properties, required }
}

export const EMPTY_BODY = objectBody({})

export function text(maxLength: number, minLength = 1): object {
  return { type: 'string', minLength, maxLength }
}

export const AJV_OPTIONS: FastifyServerOptions['ajv'] = {
  // Fastify's defaults coerce types and drop unknown fields without a word.
  customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
  // The contract is JSON Schema 2020-12, as OpenAPI 3.1 speaks it; of its keywords, Fastify's
  // draft-07 Ajv lacks dependentRequired, which Ajv ships as its "next" vocabulary.
  plugins: [(ajv: Ajv) => ajv.addVocabulary(nextVocabulary)],
}
