// JSON Schemas for request bodies: every body is an object that names each field it takes,
// so a typo is a 400, not a field silently ignored.
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

// Fastify's defaults coerce types and drop unknown fields without a word.
export const AJV_OPTIONS = {
  customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
} as const
