/**
 * PostgreSQL and Redis of a suite's (or the benchmark's) own, from .ci/services.sh, to stop and
 * start at will: stopping the shared ones of DATABASE_URL and REDIS_URL would fail every other
 * suite that runs on them meanwhile.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const SERVICES = resolve(__dirname, '../../.ci/services.sh')
const run = promisify(execFile)

/** `.ci/services.sh up` has run here (it exports SERVICES_DIR), so its binaries are installed. */
export const servicesMissing = process.env.SERVICES_DIR
  ? null
  : 'SERVICES_DIR is not set (eval "$(.ci/services.sh up)" sets it)'

export type Service = 'postgres' | 'redis'

export interface PrivateServices {
  /** The server's default database: make a fresh one on it (server/test/support/postgres.ts). */
  databaseUrl: string
  redisUrl: string
  /** Stops one of them (PostgreSQL: fast shutdown; Redis: SHUTDOWN NOSAVE) until start(). */
  stop(service: Service): Promise<void>
  /** Starts it again on the same port and data, once it accepts connections. */
  start(service: Service): Promise<void>
  /** SIGSTOP to redis-server: its connections stay open and nothing answers, until thaw(). */
  freeze(service: 'redis'): Promise<void>
  /** SIGCONT: it answers what it was sent meanwhile, and goes on. */
  thaw(service: 'redis'): Promise<void>
  down(): Promise<void>
}

export async function privateServices(): Promise<PrivateServices> {
  const env: NodeJS.ProcessEnv = { ...process.env, SERVICES_DIR: undefined }
  const { stdout } = await run(SERVICES, ['up'], { env })
  const exported = new Map(
    [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
  )
  const own = { ...env, SERVICES_DIR: exported.get('SERVICES_DIR') }
  const services = async (...args: string[]) => {
    await run(SERVICES, args, { env: own })
  }
  return {
    databaseUrl: exported.get('DATABASE_URL') ?? '',
    redisUrl: exported.get('REDIS_URL') ?? '',
    stop: (service) => services('stop', service),
    start: (service) => services('start', service),
    freeze: (service) => services('freeze', service),
    thaw: (service) => services('thaw', service),
    down: () => services('down'),
  }
}
