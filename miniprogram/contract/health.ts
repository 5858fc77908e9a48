/** GET /healthz, for load balancers: the mini-program never asks, so this is not in answers.ts. */
import type { Schema } from './schema'

export const HEALTH_ANSWER = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
  additionalProperties: false,
} as const satisfies Schema
