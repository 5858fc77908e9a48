import * as os from 'node:os'
import { GOALS, goalRow, MEMORY_BATCHES, MEMORY_LOGINS, targetOf } from '../goals'
import type { ClientResults } from '../measure/client'
import { DECRYPTION_ROUNDS, type DecryptionResults } from '../measure/decryption'
import { CONNECTIONS, SECONDS_PER_RUN, type Load } from '../measure/load'
import type { PackageSizes } from '../measure/package-size'
import type { PostgresResults } from '../measure/postgres'
import { ROUNDS, type ServerResults } from '../measure/server'
import { kib, mib, percent } from '../stats'
import { LOAD_HEADER, loadRow, table } from './table'

export interface BenchResults {
  client: ClientResults
  size: PackageSizes
  /** The npm package weapp-login's JS, minified. */
  packaged: number
  server: ServerResults
  /** Or why it was skipped. */
  postgres: PostgresResults | string
  /** Or why it was skipped. */
  cluster: Load | string
  memory: number[]
  decryption: DecryptionResults
}

/** The whole report, in Markdown: what RESULTS.md and the README show. */
export function report(results: BenchResults): string {
  const { client, size, packaged, server, postgres, cluster, memory, decryption } = results
  const skipped = typeof postgres === 'string' ? postgres : null
  const onPostgres = typeof postgres === 'string' ? null : postgres
  const cpus = os.cpus()
  return [
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${mib(os.totalmem())} RAM; ` +
      `Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '**Round trips** (exact counts; the tests assert the same numbers)',
    '',
    table(
      ['scenario', 'wx.login', 'login POSTs', 'other requests', 'goal'],
      client.roundTrips.map((r) => [r.scenario, r.wxLogin, r.loginPosts, r.otherRequests, r.goal]),
    ),
    '',
    '**setData per user flow** (every open page counts; goal: at most 3 calls, 1 KB each)',
    '',
    table(
      ['flow', 'calls', 'bytes in all', 'largest call'],
      client.setData.map((f) => [f.flow, f.calls, f.totalBytes, f.maxBytes]),
    ),
    '',
    '**Package size** (each .ts compiled by tsc for tsconfig.json, then minified by terser as miniprogram-ci does (toplevel names too); wxml, wxss, json as written)',
    '',
    table(
      ['what', 'size', 'goal'],
      [
        ['whole mini-program', kib(size.total), targetOf(GOALS.miniprogram)],
        ['  of which JS', kib(size.js), ''],
        [
          '  of which wxml / wxss / json',
          `${kib(size.wxml)} / ${kib(size.wxss)} / ${kib(size.json)}`,
          '',
        ],
        [
          'auth module JS (auth/, and the part of contract/ it loads)',
          kib(size.auth),
          targetOf(GOALS.authModule),
        ],
        ['  of which privacy, profile fill-in, gates', kib(size.fillIn), ''],
        [
          'npm package weapp-login: its JS, bundled by its build, minified',
          kib(packaged),
          targetOf(GOALS.npmPackage),
        ],
      ],
    ),
    '',
    `**Server** (autocannon, ${CONNECTIONS} connections, from this machine; the compiled server under ` +
      'NODE_ENV=production on SQLite, the standalone emulator in a process of its own as WeChat; ' +
      `medians of ${ROUNDS} interleaved rounds of ${SECONDS_PER_RUN} s; CPU: the answering ` +
      "process's user + system time from /proc, per request; the rate limiter is off on SQLite, " +
      'on, in Redis, on PostgreSQL and Redis)',
    '',
    table(LOAD_HEADER, [
      loadRow('POST /api/auth/login', server.login, percent(server.loginVsReference)),
      loadRow(
        'reference: a bare route, one keep-alive call to a bare upstream, the same store write',
        server.reference,
        '100 %',
      ),
      loadRow('POST /api/auth/phone (code)', server.phone),
      loadRow('ceiling: a bare Fastify route answering a constant', server.constant),
      loadRow(
        'one instance on PostgreSQL and Redis: POST /api/auth/login',
        onPostgres?.login ?? skipped ?? '',
        onPostgres ? percent(onPostgres.loginVsReference) : '',
      ),
      loadRow(
        'its reference: a bare route, the same Redis script, upstream call and SQL statements with pg directly',
        onPostgres?.reference ?? skipped ?? '',
        onPostgres ? '100 %' : '',
      ),
      loadRow('three instances on PostgreSQL and Redis: POST /api/auth/login', cluster),
    ]),
    '',
    '"vs reference" is the median of the per-round ratios of requests/s. For three instances, the ' +
      "load is spread over them by one autocannon each; p50 and p99 are the slowest instance's, " +
      'CPU is theirs added up; PostgreSQL, Redis, the emulator and the load generator share the same ' +
      `${cpus.length} cores.`,
    '',
    `**Decryption** (the legacy phone payload; ${DECRYPTION_ROUNDS} interleaved rounds of 300 ms; vs bare: the median of the per-round ratios)`,
    '',
    table(
      ['', 'decryptions/s', 'vs bare'],
      [
        [
          'decryptOpenData (strict base64, PKCS#7 check, JSON.parse)',
          decryption.ours.toFixed(0),
          percent(decryption.ratio),
        ],
        [
          'bare: base64 decode, AES-128-CBC decipher, JSON.parse of the same payload',
          decryption.bare.toFixed(0),
          '100 %',
        ],
      ],
    ),
    '',
    `**Memory** (the compiled server's RSS at start, then after each batch of ${MEMORY_LOGINS} logins; ` +
      'from the second batch on, the same users log in again)',
    '',
    table(
      ['logins', 'RSS', 'change'],
      memory.map((bytes, i) => {
        const before = memory[i - 1]
        const change =
          before === undefined ? '' : `${bytes >= before ? '+' : ''}${mib(bytes - before)}`
        return [i * MEMORY_LOGINS, mib(bytes), change]
      }),
    ),
    '',
    '**Goals** (reported, never asserted)',
    '',
    table(
      ['goal', 'target', 'measured', ''],
      [
        goalRow(GOALS.miniprogram, size.total),
        goalRow(GOALS.authModule, size.auth),
        goalRow(GOALS.npmPackage, packaged),
        goalRow(GOALS.login, server.loginVsReference),
        ...(onPostgres
          ? [
              goalRow(GOALS.postgresLogin, onPostgres.loginVsReference),
              goalRow(GOALS.postgresCpu, onPostgres.login.cpuMs / server.login.cpuMs),
            ]
          : []),
        goalRow(GOALS.rssAtStart, memory[0] ?? NaN),
        goalRow(GOALS.rssAfterLogins, memory[MEMORY_BATCHES] ?? NaN),
        goalRow(GOALS.decryption, decryption.ratio),
      ],
    ),
  ].join('\n')
}
