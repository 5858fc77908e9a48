/**
 * PostgreSQL for the tests: a fresh database per use on the server of DATABASE_URL, so parallel
 * jest workers (and other suites on the same server) never meet; and a private server of its own
 * for a suite that stops and starts it.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { Client } from 'pg'

const SERVICES = resolve(__dirname, '../../../.ci/services.sh')
const run = promisify(execFile)

export const postgresMissing = process.env.DATABASE_URL
  ? null
  : 'DATABASE_URL is not set (eval "$(.ci/services.sh up)" starts a PostgreSQL)'

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export interface TestDatabase {
  url: string
  /** Runs SQL on the database beside the store, to look at or hold what the store wrote. */
  query<R extends object>(text: string, values?: unknown[]): Promise<R[]>
  drop(): Promise<void>
}

/** A new, empty database on the server of `serverUrl` (default DATABASE_URL). */
export async function freshDatabase(
  serverUrl = process.env.DATABASE_URL ?? '',
): Promise<TestDatabase> {
  const name = `weapp_login_test_${randomBytes(8).toString('hex')}`
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.href,
    query: (text, values) =>
      onServer(url.href, async (client) => (await client.query(text, values)).rows),
    drop: async () => {
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`))
    },
  }
}

export const servicesMissing = process.env.SERVICES_DIR
  ? null
  : 'SERVICES_DIR is not set (eval "$(.ci/services.sh up)" sets it)'

export interface PrivatePostgres {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  down(): Promise<void>
}

/**
 * A PostgreSQL (and Redis) of this suite's own, from .ci/services.sh: stopping the shared one
 * would fail every other suite that runs on it meanwhile.
 */
export async function privatePostgres(): Promise<PrivatePostgres> {
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
    url: exported.get('DATABASE_URL') ?? '',
    stop: () => services('stop', 'postgres'),
    start: () => services('start', 'postgres'),
    down: () => services('down'),
  }
}
