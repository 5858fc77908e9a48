/**
 * PostgreSQL for the tests: a fresh database per use on the server of DATABASE_URL (or of a
 * private server, test/support/services.ts), so parallel jest workers (and other suites on the
 * same server) never meet.
 */
import { randomBytes } from 'node:crypto'
import { Client } from 'pg'

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
