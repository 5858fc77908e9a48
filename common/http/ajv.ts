import type Ajv from 'ajv'
import type { FastifyServerOptions } from 'fastify'
import nextVocabulary from 'ajv/dist/vocabularies/next'

export const AJV_OPTIONS: FastifyServerOptions['ajv'] = {
  // Fastify's defaults coerce types and drop unknown fields without a word.
  customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
  // The contract is JSON Schema 2020-12, as OpenAPI 3.1 speaks it; of its keywords, Fastify's
  // draft-07 Ajv lacks dependentRequired, which Ajv ships as its "next" vocabulary.
  plugins: [(ajv: Ajv) => ajv.addVocabulary(nextVocabulary)],
}
