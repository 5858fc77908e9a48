/** GET /healthz and GET /readyz, for orchestrators and load balancers: the mini-program never asks, so this is not in answers.ts. */
import type { Schema } from './schema'

/** Liveness (the process answers) and readiness (send it users now). */
export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const

export const HEALTH_ANSWER = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
  additionalProperties: false,
} as const satisfies Schema
