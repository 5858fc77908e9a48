import { spawnSync } from 'node:child_process'
import { freshDatabase } from '../../server/test/support/postgres'
import { startCluster, type Instance } from '../../test/support/cluster'
import { privateServices } from '../../test/support/services'
import { progress } from '../stats'
import {
  CODES_PER_RUN,
  CONNECTIONS,
  load,
  measured,
  medianLoad,
  postEach,
  SECONDS_PER_RUN,
  type Load,
} from './load'
import { SERVER_MAIN } from './processes'
import type { Wechat } from './wechat'

// Three instances on PostgreSQL and Redis, as a team deploys it on one machine.

/** The cluster gets fewer runs than the interleaved rounds of the single server. */
export const CLUSTER_RUNS = 3

/** PostgreSQL and Redis: DATABASE_URL and REDIS_URL, or private ones when their binaries exist. */
export async function clusterServices(): Promise<
  { databaseUrl: string; redisUrl: string; down(): Promise<void> } | string
> {
  const { DATABASE_URL, REDIS_URL } = process.env
  if (DATABASE_URL && REDIS_URL)
    return { databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, down: async () => undefined }
  const postgres = spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/postgres'], {
    stdio: 'ignore',
  })
  const redis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' })
  if (postgres.status !== 0 || redis.status !== 0) {
    return 'PostgreSQL or Redis is not installed here, and DATABASE_URL and REDIS_URL are not set'
  }
  const services = await privateServices()
  return { ...services, down: () => services.down() }
}

export async function clusterLoad(wechat: Wechat): Promise<Load | string> {
  const services = await clusterServices()
  if (typeof services === 'string') return services
  const database = await freshDatabase(services.databaseUrl)
  try {
    const cluster = await startCluster(3, {
      main: SERVER_MAIN,
      wechat,
      databaseUrl: database.url,
      redisUrl: services.redisUrl,
      // The limiter on, as in production, so each login also counts in Redis: one address here,
      // with a limit no run reaches.
      env: { RATE_LIMIT_PER_MIN: '1000000' },
    })
    try {
      const pids = cluster.instances.map((instance) => instance.pid)
      const run = async (seconds: number): Promise<Load> => {
        const codes = await wechat.loginCodes(CODES_PER_RUN)
        const share = Math.ceil(codes.length / cluster.instances.length)
        return measured(pids, async () => {
          // One autocannon per instance, as a load balancer would spread the connections.
          const results = await Promise.all(
            cluster.instances.map((instance: Instance, i) =>
              load({
                ...postEach(
                  `${instance.url}/api/auth/login`,
                  codes.slice(i * share, (i + 1) * share),
                ),
                connections: Math.ceil(CONNECTIONS / cluster.instances.length),
                duration: seconds,
              }),
            ),
          )
          return {
            requests: results.reduce((sum, r) => sum + r.requests, 0),
            rps: results.reduce((sum, r) => sum + r.rps, 0),
            p50: Math.max(...results.map((r) => r.p50)),
            p99: Math.max(...results.map((r) => r.p99)),
          }
        })
      }
      await run(1)
      const runs: Load[] = []
      for (let i = 1; i <= CLUSTER_RUNS; i++) {
        progress(`three instances on PostgreSQL and Redis, run ${i} of ${CLUSTER_RUNS}`)
        runs.push(await run(SECONDS_PER_RUN))
      }
      return medianLoad(runs)
    } finally {
      await cluster.stop()
    }
  } finally {
    await database.drop()
    await services.down()
  }
}
