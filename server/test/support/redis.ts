/** Redis for the tests: one server (REDIS_URL, or a private one), each test under keys of its own. */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import type { Config } from '../../src/config/config'

export const redisMissing = process.env.REDIS_URL
  ? null
  : 'REDIS_URL is not set (eval "$(.ci/services.sh up)" starts a Redis)'

/** What puts a server on the Redis at `url`, under a key prefix no other test uses. */
export function onRedis(
  url = process.env.REDIS_URL ?? '',
  keyPrefix = `weapp-login-test-${randomBytes(6).toString('hex')}:`,
): { config: Pick<Config, 'redis'>; redisKeyPrefix: string } {
  return { config: { redis: { url } }, redisKeyPrefix: keyPrefix }
}

async function withClient<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  await client.connect()
  try {
    return await work(client)
  } finally {
    client.disconnect()
  }
}

/** One line per connection to the Redis at `url` (CLIENT LIST), this one's own excluded. */
export function listClients(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const lines = String(await client.call('CLIENT', 'LIST'))
      .trim()
      .split('\n')
    const self = String(await client.call('CLIENT', 'ID'))
    return lines.filter((line) => !line.startsWith(`id=${self} `))
  })
}

/** A port of 127.0.0.1 that nothing listens on (it did a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** The (string) keys under `prefix`, less the prefix, with their values, as another client of that Redis sees them. */
export function keysUnder(url: string, prefix: string): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    const keys = await client.keys(`${prefix}*`)
    const entries = await Promise.all(
      keys.map(async (key) => [key.slice(prefix.length), (await client.get(key)) ?? ''] as const),
    )
    return Object.fromEntries(entries)
  })
}
