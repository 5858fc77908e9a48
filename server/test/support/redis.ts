/** Redis for the tests: one server (REDIS_URL, or a private one), each test under keys of its own. */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Config } from '../../src/config'

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

/** The (string) keys under `prefix`, less the prefix, with their values, as another client of that Redis sees them. */
export async function keysUnder(url: string, prefix: string): Promise<Record<string, string>> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  await client.connect()
  try {
    const keys = await client.keys(`${prefix}*`)
    const entries = await Promise.all(
      keys.map(async (key) => [key.slice(prefix.length), (await client.get(key)) ?? ''] as const),
    )
    return Object.fromEntries(entries)
  } finally {
    client.disconnect()
  }
}
