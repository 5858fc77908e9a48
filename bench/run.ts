/**
 * `npm run bench`: what the mini-program's users and the server's operators feel, in one table,
 * printed and written to bench/RESULTS.md (and into the README). Counts are exact; timings are
 * medians of several runs. A benchmark reports: the counts are asserted in the tests, timings never.
 *
 * The server is measured as production runs it: compiled (`npm run build`), NODE_ENV=production,
 * with WeChat (the standalone emulator) in a process of its own.
 */
import { spawnSync } from 'node:child_process'
import { createDecipheriv, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import autocannon from 'autocannon'
import * as prettier from 'prettier'
import { transformSync } from 'esbuild'
import ts from 'typescript'
import { parseServerLine } from '../common/listening'
import { decryptOpenData, encryptOpenData } from '../common/open-data'
import { spawnEmulator, type EmulatorProcess } from '../emulator/test/support/emulator-process'
import { freshDatabase } from '../server/test/support/postgres'
import { startCluster, startInstance, type Instance } from '../test/support/cluster'
import { startListening } from '../test/support/server-process'
import { privateServices } from '../test/support/services'
import type { RoundTrips, SetDataFlow } from './client.bench'
import { weappLoginJs } from './package-size'

const ROOT = path.resolve(__dirname, '..')
const RESULTS = path.join(ROOT, 'bench/RESULTS.md')
const README = path.join(ROOT, 'README.md')
const SERVER_MAIN = path.join(ROOT, 'server/dist/main.js')
const EMULATOR_MAIN = path.join(ROOT, 'server/dist/emulator/main.js')
/** Rounds of the interleaved server targets; the cluster gets fewer. */
const ROUNDS = 5
const CLUSTER_RUNS = 3
const CONNECTIONS = 50
const SECONDS_PER_RUN = 3
/** Login and phone codes are single-use: enough for the fastest run to come. */
const CODES_PER_RUN = 12000
const MEMORY_LOGINS = 10000
const MEMORY_BATCHES = 3

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
const progress = (what: string) => process.stderr.write(`bench: ${what}\n`)

// ---- The client: round trips and setData, measured on the real pages by bench/client.bench.ts

function client(): { roundTrips: RoundTrips[]; setData: SetDataFlow[] } {
  const out = path.join(os.tmpdir(), `bench-client-${process.pid}.json`)
  const jest = path.join(ROOT, 'node_modules/jest/bin/jest.js')
  const run = spawnSync(process.execPath, [jest, '--config', 'bench/jest.config.js'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_OUT: out },
    encoding: 'utf8',
  })
  if (run.status !== 0) throw new Error(`the client benchmark failed:\n${run.stderr}`)
  const result = JSON.parse(fs.readFileSync(out, 'utf8'))
  fs.rmSync(out)
  return result
}

// ---- Package size: what DevTools would upload. DevTools compiles each .ts on its own, as tsc
// does for tsconfig.json (ES2020, CommonJS); the minifier is esbuild's.

/** The part of the auth module that the avatar/nickname fill-in and the privacy agreement add. */
const FILL_IN = ['auth/privacy.ts', 'auth/profile.ts', 'auth/features.ts']

function compile(source: string): string {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT)
  const js = ts.transpileModule(source, { compilerOptions: { ...options, removeComments: true } })
  return transformSync(js.outputText, {
    loader: 'js',
    minify: true,
    target: 'es2020',
    charset: 'utf8',
  }).code
}

/** The files `entry` requires when it runs, itself included, followed through `compiled`. */
function loadedBy(entry: string, compiled: Map<string, string>): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, specifier] of (compiled.get(file) ?? '').matchAll(/require\("(\.[^"]*)"\)/g)) {
      visit(path.resolve(path.dirname(file), specifier) + '.ts')
    }
  }
  visit(entry)
  return seen
}

function packageSize(): {
  total: number
  js: number
  wxml: number
  wxss: number
  json: number
  auth: number
  fillIn: number
} {
  const sizes = { total: 0, js: 0, wxml: 0, wxss: 0, json: 0, auth: 0, fillIn: 0 }
  const root = path.join(ROOT, 'miniprogram')
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? walk(full) : [full]
    })
  const compiled = new Map<string, string>()
  for (const file of walk(root)) {
    const source = fs.readFileSync(file, 'utf8')
    const ext = path.extname(file).slice(1)
    if (ext === 'ts') {
      const js = compile(source)
      compiled.set(file, js)
      sizes.js += Buffer.byteLength(js)
      if (FILL_IN.includes(path.relative(root, file))) sizes.fillIn += Buffer.byteLength(js)
    } else if (ext === 'wxml' || ext === 'wxss' || ext === 'json') {
      sizes[ext] += Buffer.byteLength(source)
    }
  }
  // The auth module is auth/ and the part of the contract (contract/) it loads: its answer
  // schemas, their reader and the nickname rule. Types it imports from there weigh nothing.
  const moduleDirs = [path.join(root, 'auth'), path.join(root, 'contract')].map(
    (dir) => dir + path.sep,
  )
  for (const file of loadedBy(path.join(root, 'auth/index.ts'), compiled)) {
    if (moduleDirs.some((dir) => file.startsWith(dir)))
      sizes.auth += Buffer.byteLength(compiled.get(file)!)
  }
  sizes.total = sizes.js + sizes.wxml + sizes.wxss + sizes.json
  return sizes
}

// ---- The server under load

interface Load {
  requests: number
  rps: number
  p50: number
  p99: number
  /** CPU time of the process that answered (user + system), per request, in ms. */
  cpuMs: number
}

async function load(options: autocannon.Options): Promise<Omit<Load, 'cpuMs'>> {
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
async function measured(pids: number[], run: () => Promise<Omit<Load, 'cpuMs'>>): Promise<Load> {
  const before = pids.map(cpuTimeMs)
  const result = await run()
  const used = pids.reduce((sum, pid, i) => sum + cpuTimeMs(pid) - before[i], 0)
  return { ...result, cpuMs: used / result.requests }
}

function medianLoad(runs: Load[]): Load {
  const of = (key: keyof Load) => median(runs.map((run) => run[key]))
  return {
    requests: of('requests'),
    rps: of('rps'),
    p50: of('p50'),
    p99: of('p99'),
    cpuMs: of('cpuMs'),
  }
}

/** Runs `count` calls, 50 at a time. */
async function mint<T>(count: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < count; i += 50) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => one(i + j)))),
    )
  }
  return out
}

async function postJson<T>(url: string, body: object, token?: string): Promise<T> {
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

/** Each request takes the next body; a run that would need more bodies than given fails. */
function postEach(url: string, bodies: object[], token?: string): autocannon.Options {
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

/** The standalone emulator, compiled, as the WeChat of every server measured here. */
interface Wechat {
  url: string
  appid: string
  secret: string
  loginCodes(count: number, openid?: (i: number) => string): Promise<{ code: string }[]>
  phoneCodes(count: number, openid: string): Promise<{ code: string }[]>
}

function wechatOf(emulator: { url: string; appid: string; secret: string }): Wechat {
  return {
    ...emulator,
    loginCodes: async (count, openid) => {
      const minted = await mint(count, (i) =>
        postJson<{ code: string }>(
          `${emulator.url}/control/login`,
          openid ? { openid: openid(i) } : {},
        ),
      )
      // The login's body is the code alone: its schema refuses any other field.
      return minted.map(({ code }) => ({ code }))
    },
    phoneCodes: async (count, openid) => {
      const minted = await mint(count, () =>
        postJson<{ code: string }>(`${emulator.url}/control/phone`, { openid }),
      )
      return minted.map(({ code }) => ({ code }))
    },
  }
}

function logFile(name: string): string {
  return path.join(os.tmpdir(), `bench-${name}-${process.pid}.log`)
}

/** A helper process that prints `listening on <url>`, killed and its log removed by stop(). */
async function helper(
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop(): void }> {
  const log = logFile(path.basename(script, '.ts'))
  const { child, url } = await startListening(
    script,
    env,
    log,
    (line) => parseServerLine(line)?.url ?? /^listening on (http:\/\/\S+)$/.exec(line)?.[1] ?? null,
  )
  return {
    url,
    pid: child.pid ?? 0,
    stop: () => {
      child.kill()
      fs.rmSync(log, { force: true })
    },
  }
}

interface ServerResults {
  login: Load
  reference: Load
  phone: Load
  constant: Load
  /** Median over rounds of login/reference requests per second. */
  loginVsReference: number
  /** Median over rounds of the reference's CPU per login over the server's. */
  cpuVsReference: number
}

/**
 * The login route against its physical reference, interleaved: each round runs every target once,
 * in a rotating order, so a slow spell of the shared machine weighs on all of them alike.
 */
async function serverLoad(wechat: Wechat): Promise<ServerResults> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-server-'))
  const server = await startInstance(
    'server',
    { main: SERVER_MAIN, wechat, env: { RATE_LIMIT_PER_MIN: '0' } },
    dir,
  )
  fs.mkdirSync(path.join(dir, 'reference'))
  const upstream = await helper('bench/upstream.ts', {})
  const reference = await helper('bench/reference-server.ts', {
    UPSTREAM_URL: upstream.url,
    DATA_DIR: path.join(dir, 'reference'),
  })
  try {
    const [{ code }] = await wechat.loginCodes(1, () => 'o_bench_phone')
    const { token } = await postJson<{ token: string }>(`${server.url}/api/auth/login`, { code })
    let referenceCodes = 0
    const referenceBodies = (count: number) =>
      Array.from({ length: count }, () => ({ code: `bench_${referenceCodes++}` }))

    const targets: Record<
      'login' | 'reference' | 'phone' | 'constant',
      (seconds: number) => Promise<Load>
    > = {
      login: async (seconds) => {
        const codes = await wechat.loginCodes(CODES_PER_RUN)
        return measured([server.pid], () =>
          load({ ...postEach(`${server.url}/api/auth/login`, codes), duration: seconds }),
        )
      },
      reference: (seconds) =>
        measured([reference.pid], () =>
          load({
            ...postEach(`${reference.url}/login`, referenceBodies(CODES_PER_RUN)),
            duration: seconds,
          }),
        ),
      phone: async (seconds) => {
        const codes = await wechat.phoneCodes(CODES_PER_RUN, 'o_bench_phone')
        return measured([server.pid], () =>
          load({ ...postEach(`${server.url}/api/auth/phone`, codes, token), duration: seconds }),
        )
      },
      constant: (seconds) =>
        measured([reference.pid], () => load({ url: `${reference.url}/bare`, duration: seconds })),
    }
    const names = Object.keys(targets) as (keyof typeof targets)[]
    // One unmeasured second each, so the JIT has seen the code paths before the clock starts.
    for (const name of names) await targets[name](1)
    const runs = Object.fromEntries(names.map((name) => [name, [] as Load[]])) as Record<
      keyof typeof targets,
      Load[]
    >
    for (let round = 0; round < ROUNDS; round++) {
      progress(`server, round ${round + 1} of ${ROUNDS}`)
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length]
        runs[name].push(await targets[name](SECONDS_PER_RUN))
      }
    }
    const perRound = (f: (round: number) => number) => median(runs.login.map((_, r) => f(r)))
    return {
      login: medianLoad(runs.login),
      reference: medianLoad(runs.reference),
      phone: medianLoad(runs.phone),
      constant: medianLoad(runs.constant),
      loginVsReference: perRound((r) => runs.login[r].rps / runs.reference[r].rps),
      cpuVsReference: perRound((r) => runs.reference[r].cpuMs / runs.login[r].cpuMs),
    }
  } finally {
    reference.stop()
    upstream.stop()
    await server.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- Three instances on PostgreSQL and Redis

/** PostgreSQL and Redis: DATABASE_URL and REDIS_URL, or private ones when their binaries exist. */
async function clusterServices(): Promise<
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

async function clusterLoad(wechat: Wechat): Promise<Load | string> {
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

// ---- Decryption against base64 decode + AES-128-CBC decipher + JSON.parse of the same payload

/** Calls of `fn` per second over `ms` milliseconds. */
function opsPerSecond(fn: () => void, ms: number): number {
  const start = process.hrtime.bigint()
  let ops = 0
  while (process.hrtime.bigint() - start < BigInt(ms) * 1_000_000n) {
    for (let i = 0; i < 100; i++) fn()
    ops += 100
  }
  return ops / (Number(process.hrtime.bigint() - start) / 1e9)
}

/**
 * The two targets interleaved, in alternating order, ROUNDS rounds of 300 ms each: the medians of
 * each one's rate, and of the per-round ratios, so that a noisy moment weighs on both alike.
 */
function decryption(): { ours: number; bare: number; ratio: number } {
  const sessionKey = randomBytes(16).toString('base64')
  const phone = { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' }
  const payload = encryptOpenData(
    { ...phone, watermark: { appid: 'wx0000000000000000', timestamp: 1 } },
    sessionKey,
  )
  const ours = () => decryptOpenData(sessionKey, payload.encryptedData, payload.iv)
  const bare = () => {
    const key = Buffer.from(sessionKey, 'base64')
    const iv = Buffer.from(payload.iv, 'base64')
    const decipher = createDecipheriv('aes-128-cbc', key, iv)
    const ciphertext = Buffer.from(payload.encryptedData, 'base64')
    JSON.parse(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'))
  }
  // Unmeasured, so that the JIT has seen both.
  opsPerSecond(ours, 100)
  opsPerSecond(bare, 100)
  const rounds = Array.from({ length: ROUNDS }, (_, round) => {
    if (round % 2 === 0) return { ours: opsPerSecond(ours, 300), bare: opsPerSecond(bare, 300) }
    const bareRate = opsPerSecond(bare, 300)
    return { ours: opsPerSecond(ours, 300), bare: bareRate }
  })
  return {
    ours: median(rounds.map((r) => r.ours)),
    bare: median(rounds.map((r) => r.bare)),
    ratio: median(rounds.map((r) => r.ours / r.bare)),
  }
}

// ---- Memory: RSS at start, then over batches of logins (after the first, the same users again)

function rss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  if (!match) throw new Error('no VmRSS')
  return Number(match[1]) * 1024
}

async function memory(wechat: Wechat): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'))
  const server = await startInstance(
    'memory',
    { main: SERVER_MAIN, wechat, env: { RATE_LIMIT_PER_MIN: '0' } },
    dir,
  )
  try {
    const readings = [rss(server.pid)]
    for (let batch = 1; batch <= MEMORY_BATCHES; batch++) {
      progress(`memory, batch ${batch} of ${MEMORY_BATCHES}`)
      const codes = await wechat.loginCodes(MEMORY_LOGINS, (i) => `o_bench_memory_${i}`)
      await load({ ...postEach(`${server.url}/api/auth/login`, codes), amount: codes.length })
      readings.push(rss(server.pid))
    }
    return readings
  } finally {
    await server.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** `npm run build`: the benchmark measures the compiled server, as production runs it. */
function build(): void {
  const run = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`npm run build failed:\n${run.stdout}${run.stderr}`)
}

async function startWechat(): Promise<{ wechat: Wechat; emulator: EmulatorProcess }> {
  const emulator = spawnEmulator({ EMULATOR_PORT: '0' }, EMULATOR_MAIN)
  return { wechat: wechatOf(await emulator.listening), emulator }
}

// ---- The table

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')
}

const MIB = 1024 * 1024
const percent = (ratio: number) => `${(ratio * 100).toFixed(0)} %`

function loadRow(name: string, result: Load, vs: string): Array<string | number> {
  return [name, result.rps.toFixed(0), result.p50, result.p99, result.cpuMs.toFixed(2), vs]
}

/** A goal's row: met, or missed by how much. */
function goal(
  name: string,
  measured: number,
  target: number,
  format: (value: number) => string,
  bound: 'at least' | 'at most' = 'at least',
): string[] {
  const met = bound === 'at least' ? measured >= target : measured <= target
  const by =
    format === percent
      ? `${Math.abs((measured - target) * 100).toFixed(0)} points`
      : format(Math.abs(measured - target))
  return [
    name,
    `${bound === 'at least' ? '≥' : '≤'} ${format(target)}`,
    format(measured),
    met ? 'met' : `missed by ${by}`,
  ]
}

async function main(): Promise<void> {
  progress('client round trips and setData (jest, the real pages)')
  const { roundTrips, setData } = client()
  progress('package size')
  const size = packageSize()
  const packaged = await weappLoginJs()
  progress('npm run build')
  build()
  const { wechat, emulator } = await startWechat()
  let server: ServerResults
  let cluster: Load | string
  let mem: number[]
  try {
    server = await serverLoad(wechat)
    cluster = await clusterLoad(wechat)
    mem = await memory(wechat)
  } finally {
    await emulator.stop()
  }
  progress('decryption')
  const crypto = decryption()

  const cpus = os.cpus()
  const report = [
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${mib(os.totalmem())} RAM; ` +
      `Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '**Round trips** (exact counts; the tests assert the same numbers)',
    '',
    table(
      ['scenario', 'wx.login', 'login POSTs', 'other requests', 'goal'],
      roundTrips.map((r) => [r.scenario, r.wxLogin, r.loginPosts, r.otherRequests, r.goal]),
    ),
    '',
    '**setData per user flow** (every open page counts; goal: at most 3 calls, 1 KB each)',
    '',
    table(
      ['flow', 'calls', 'bytes in all', 'largest call'],
      setData.map((f) => [f.flow, f.calls, f.totalBytes, f.maxBytes]),
    ),
    '',
    '**Package size** (each .ts compiled by tsc for tsconfig.json, then minified by esbuild; wxml, wxss, json as written)',
    '',
    table(
      ['what', 'size', 'goal'],
      [
        ['whole mini-program', kib(size.total), '≤ 64 KiB'],
        ['  of which JS', kib(size.js), ''],
        [
          '  of which wxml / wxss / json',
          `${kib(size.wxml)} / ${kib(size.wxss)} / ${kib(size.json)}`,
          '',
        ],
        ['auth module JS (auth/, and the part of contract/ it loads)', kib(size.auth), '≤ 12 KiB'],
        ['  of which privacy, profile fill-in, gates', kib(size.fillIn), ''],
        [
          'npm package weapp-login: its JS, bundled by its build, minified',
          kib(packaged),
          '≤ 28 KiB',
        ],
      ],
    ),
    '',
    `**Server** (autocannon, ${CONNECTIONS} connections, from this machine; the compiled server under ` +
      'NODE_ENV=production on SQLite, the standalone emulator in a process of its own as WeChat; ' +
      `medians of ${ROUNDS} interleaved rounds of ${SECONDS_PER_RUN} s; CPU: the answering ` +
      "process's user + system time from /proc, per request; the rate limiter is off on SQLite, " +
      'on, in Redis, for three instances)',
    '',
    table(
      ['target', 'requests/s', 'p50 ms', 'p99 ms', 'CPU ms per request', 'vs reference'],
      [
        loadRow('POST /api/auth/login', server.login, percent(server.loginVsReference)),
        loadRow(
          'reference: a bare route, one keep-alive call to a bare upstream, the same store write',
          server.reference,
          '100 %',
        ),
        loadRow('POST /api/auth/phone (code)', server.phone, ''),
        loadRow('ceiling: a bare Fastify route answering a constant', server.constant, ''),
        typeof cluster === 'string'
          ? [
              'three instances on PostgreSQL and Redis: POST /api/auth/login',
              `skipped: ${cluster}`,
              '',
              '',
              '',
              '',
            ]
          : loadRow('three instances on PostgreSQL and Redis: POST /api/auth/login', cluster, ''),
      ],
    ),
    '',
    '"vs reference" is the median of the per-round ratios of requests/s. For three instances, the ' +
      "load is spread over them by one autocannon each; p50 and p99 are the slowest instance's, " +
      'CPU is theirs added up; PostgreSQL, Redis, the emulator and the load generator share the same ' +
      `${os.cpus().length} cores.`,
    '',
    `**Decryption** (the legacy phone payload; ${ROUNDS} interleaved rounds of 300 ms; vs bare: the median of the per-round ratios)`,
    '',
    table(
      ['', 'decryptions/s', 'vs bare'],
      [
        [
          'decryptOpenData (strict base64, PKCS#7 check, JSON.parse)',
          crypto.ours.toFixed(0),
          percent(crypto.ratio),
        ],
        [
          'bare: base64 decode, AES-128-CBC decipher, JSON.parse of the same payload',
          crypto.bare.toFixed(0),
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
      mem.map((bytes, i) => [
        i * MEMORY_LOGINS,
        mib(bytes),
        i === 0 ? '' : `${bytes >= mem[i - 1] ? '+' : ''}${mib(bytes - mem[i - 1])}`,
      ]),
    ),
    '',
    '**Goals** (reported, never asserted)',
    '',
    table(
      ['goal', 'target', 'measured', ''],
      [
        goal('whole mini-program', size.total, 64 * 1024, kib, 'at most'),
        goal('auth module JS', size.auth, 12 * 1024, kib, 'at most'),
        goal('npm package weapp-login JS', packaged, 28 * 1024, kib, 'at most'),
        goal('login vs its reference (requests/s)', server.loginVsReference, 0.9, percent),
        goal('server RSS at start', mem[0], 80 * MIB, mib, 'at most'),
        goal(
          `server RSS after ${MEMORY_BATCHES * MEMORY_LOGINS} logins`,
          mem[mem.length - 1],
          160 * MIB,
          mib,
          'at most',
        ),
        goal('decryption vs base64 + decipher + JSON.parse', crypto.ratio, 0.85, percent),
      ],
    ),
  ].join('\n')

  // Formatted as the repository's Prettier would, so `npm test`'s lint stays green after a run.
  const style = { ...(await prettier.resolveConfig(README)), parser: 'markdown' }
  // The notes (why a goal is missed, what was profiled) are written by hand and kept across runs.
  const previous = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : ''
  const notes =
    /<!-- notes:start -->[\s\S]*?<!-- notes:end -->/.exec(previous)?.[0] ??
    '<!-- notes:start -->\n<!-- notes:end -->'
  const results =
    '# Benchmark results\n\nWritten by `npm run bench`, except the notes at the end, which are ' +
    `written by hand and kept across runs.\n\n${report}\n\n## Notes\n\n${notes}\n`
  fs.writeFileSync(RESULTS, await prettier.format(results, style))
  const readme = fs.readFileSync(README, 'utf8')
  const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/
  if (marked.test(readme)) {
    fs.writeFileSync(
      README,
      await prettier.format(readme.replace(marked, `$1${report}\n$2`), style),
    )
  }
  console.log(report)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
