import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import autocannon from 'autocannon'
import { median, progress } from '../stats'

// A server under load: autocannon's requests per second and latency, and the answering
// processes' CPU time per request as the kernel counts it.

export const CONNECTIONS = 50
export const SECONDS_PER_RUN = 3
/** Login and phone codes are single-use: enough for the fastest run to come. */
export const CODES_PER_RUN = 12000

export interface Load {
  requests: number
  rps: number
  p50: number
  p99: number
  /** CPU time of the process that answered (user + system), per request, in ms. */
  cpuMs: number
}

export type Traffic = Omit<Load, 'cpuMs'>

export async function load(options: autocannon.Options): Promise<Traffic> {
  const result = await autocannon({ connections: CONNECTIONS, ...options })
  const failed = result.errors + result.timeouts + result.non2xx
  if (failed > 0)
    throw new Error(`${options.url}: ${failed} of ${result.requests.total} requests failed`)
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

const CLOCK_TICKS_PER_S =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** The CPU time a process has used so far (user + system), in ms, as the kernel counts it. */
function cpuTimeMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const [utime, stime] = [Number(fields[11]), Number(fields[12])]
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_S
}

/** A load run against the processes `pids`, with their CPU time per request. */
export async function measured(pids: number[], run: () => Promise<Traffic>): Promise<Load> {
  const before = pids.map(cpuTimeMs)
  const result = await run()
  const used = pids.reduce((sum, pid, i) => sum + cpuTimeMs(pid) - (before[i] ?? 0), 0)
  return { ...result, cpuMs: used / result.requests }
}

export function medianLoad(runs: Load[]): Load {
  const of = (key: keyof Load) => median(runs.map((run) => run[key]))
  return {
    requests: of('requests'),
    rps: of('rps'),
    p50: of('p50'),
    p99: of('p99'),
    cpuMs: of('cpuMs'),
  }
}

/** Each request takes the next body; a run that would need more bodies than given fails. */
export function postEach(url: string, bodies: object[], token?: string): autocannon.Options {
  let next = 0
  return {
    url,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    requests: [
      {
        setupRequest: (request) => {
          if (next >= bodies.length) throw new Error(`${url}: more than ${bodies.length} requests`)
          return { ...request, body: JSON.stringify(bodies[next++]) }
        },
      },
    ],
  }
}

export async function postJson<T>(url: string, body: object, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

/**
 * Runs every target once per round, in an order that rotates each round, so a slow spell of the
 * shared machine weighs on all of them alike; one unmeasured second each first, so the JIT has
 * seen the code paths before the clock starts. Each target's runs, in round order.
 */
export async function interleaved<Name extends string>(
  what: string,
  targets: Record<Name, (seconds: number) => Promise<Load>>,
  rounds: number,
): Promise<Record<Name, Load[]>> {
  const names = Object.keys(targets) as Name[]
  for (const name of names) await targets[name](1)
  const runs = Object.fromEntries(names.map((name) => [name, [] as Load[]])) as Record<Name, Load[]>
  for (let round = 0; round < rounds; round++) {
    progress(`${what}, round ${round + 1} of ${rounds}`)
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!
      runs[name].push(await targets[name](SECONDS_PER_RUN))
    }
  }
  return runs
}
