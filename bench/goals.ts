import { kib, mib, percent, times } from './stats'

// The goals of `npm run bench`, written once: the tables and the goals table read them here.
// Reported, never asserted.

export interface Goal {
  name: string
  target: number
  /** at least (a ratio, a rate) or at most (a size). */
  bound: 'at least' | 'at most'
  format: (value: number) => string
}

const KIB = 1024
const MIB = 1024 * 1024

export const MEMORY_LOGINS = 10_000
export const MEMORY_BATCHES = 3

export const GOALS = {
  miniprogram: { name: 'whole mini-program', target: 64 * KIB, bound: 'at most', format: kib },
  authModule: { name: 'auth module JS', target: 12 * KIB, bound: 'at most', format: kib },
  npmPackage: {
    name: 'npm package weapp-login JS',
    target: 28 * KIB,
    bound: 'at most',
    format: kib,
  },
  login: {
    name: 'login vs its reference (requests/s)',
    target: 0.9,
    bound: 'at least',
    format: percent,
  },
  postgresLogin: {
    name: 'login on PostgreSQL + Redis vs its reference (requests/s)',
    target: 0.85,
    bound: 'at least',
    format: percent,
  },
  postgresCpu: {
    name: 'CPU per login on PostgreSQL + Redis vs on SQLite',
    target: 1.5,
    bound: 'at most',
    format: times,
  },
  rssAtStart: { name: 'server RSS at start', target: 80 * MIB, bound: 'at most', format: mib },
  rssAfterLogins: {
    name: `server RSS after ${MEMORY_BATCHES * MEMORY_LOGINS} logins`,
    target: 160 * MIB,
    bound: 'at most',
    format: mib,
  },
  decryption: {
    name: 'decryption vs base64 + decipher + JSON.parse',
    target: 0.85,
    bound: 'at least',
    format: percent,
  },
} as const satisfies Record<string, Goal>

/** How a goal reads in a table's goal column: `≤ 64.0 KiB`. */
export function targetOf(goal: Goal): string {
  return `${goal.bound === 'at least' ? '≥' : '≤'} ${goal.format(goal.target)}`
}

/** A goal's row: its target, what was measured, and met or missed by how much. */
export function goalRow(goal: Goal, measured: number): string[] {
  const met = goal.bound === 'at least' ? measured >= goal.target : measured <= goal.target
  const by =
    goal.format === percent
      ? `${Math.abs((measured - goal.target) * 100).toFixed(0)} points`
      : goal.format(Math.abs(measured - goal.target))
  return [goal.name, targetOf(goal), goal.format(measured), met ? 'met' : `missed by ${by}`]
}
