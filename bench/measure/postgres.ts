import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { freshDatabase } from '../../server/test/support/postgres'
import { startInstance } from '../../test/support/cluster'
import { median } from '../stats'
import { clusterServices } from './cluster'
import { CODES_PER_RUN, load, measured, medianLoad, postEach, interleaved, type Load } from './load'
import { helper, SERVER_MAIN } from './processes'
import { ROUNDS } from './server'
import type { Wechat } from './wechat'

// One instance on PostgreSQL and Redis beside its physical reference (bench/helpers/
// postgres-reference.ts: the same Redis script, the same call to the same WeChat — the emulator,
// with codes it minted — and the same SQL, by hand), so that what the cluster's path costs is a
// ratio, not a guess; and its CPU per login beside the SQLite path's.

export interface PostgresResults {
  login: Load
  reference: Load
  /** Median over rounds of login/reference requests per second. */
  loginVsReference: number
}

export async function postgresLoad(wechat: Wechat): Promise<PostgresResults | string> {
  const services = await clusterServices()
  if (typeof services === 'string') return services
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-postgres-'))
  const [serverDatabase, referenceDatabase] = [
    await freshDatabase(services.databaseUrl),
    await freshDatabase(services.databaseUrl),
  ]
  const reference = await helper('bench/helpers/postgres-reference.ts', {
    UPSTREAM_URL: wechat.url,
    UPSTREAM_APPID: wechat.appid,
    UPSTREAM_SECRET: wechat.secret,
    DATABASE_URL: referenceDatabase.url,
    REDIS_URL: services.redisUrl,
  })
  // The limiter on, as in production, so each login counts in Redis: one address here, with a
  // limit no run reaches.
  const server = await startInstance(
    'postgres',
    {
      main: SERVER_MAIN,
      wechat,
      databaseUrl: serverDatabase.url,
      redisUrl: services.redisUrl,
      env: { RATE_LIMIT_PER_MIN: '1000000' },
    },
    dir,
  )
  try {
    const targets: Record<'login' | 'reference', (seconds: number) => Promise<Load>> = {
      login: async (seconds) => {
        const codes = await wechat.loginCodes(CODES_PER_RUN)
        return measured([server.pid], () =>
          load({ ...postEach(`${server.url}/api/auth/login`, codes), duration: seconds }),
        )
      },
      reference: async (seconds) => {
        const codes = await wechat.loginCodes(CODES_PER_RUN)
        return measured([reference.pid], () =>
          load({ ...postEach(`${reference.url}/login`, codes), duration: seconds }),
        )
      },
    }
    const runs = await interleaved('one instance on PostgreSQL and Redis', targets, ROUNDS)
    return {
      login: medianLoad(runs.login),
      reference: medianLoad(runs.reference),
      loginVsReference: median(runs.login.map((run, r) => run.rps / runs.reference[r]!.rps)),
    }
  } finally {
    await server.kill()
    reference.stop()
    await serverDatabase.drop()
    await referenceDatabase.drop()
    await services.down()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
