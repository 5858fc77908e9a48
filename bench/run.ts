/**
 * `npm run bench`: what the mini-program's users and the server's operators feel, in one table,
 * printed and written to bench/RESULTS.md (and into the README). Counts are exact; timings are
 * medians of several runs. A benchmark reports: the counts are asserted in the tests, timings never.
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
import { decryptOpenData, encryptOpenData } from '../server/src/crypto'
import { ServerProcess, startListening } from '../test/support/server-process'
import type { RoundTrips, SetDataFlow } from './client.bench'

const ROOT = path.resolve(__dirname, '..')
const RESULTS = path.join(ROOT, 'bench/RESULTS.md')
const README = path.join(ROOT, 'README.md')
const RUNS = 3
const CONNECTIONS = 50
const SECONDS_PER_RUN = 3
/** Login and phone codes are single-use: enough for the fastest run to come. */
const CODES_PER_RUN = 8000
const MEMORY_LOGINS = 10000

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
  rps: number
  p50: number
  p99: number
}

async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ connections: CONNECTIONS, ...options })
  const failed = result.errors + result.timeouts + result.non2xx
  if (failed > 0)
    throw new Error(`${options.url}: ${failed} of ${result.requests.total} requests failed`)
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

function medianLoad(runs: Load[]): Load {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  }
}

/** Runs `count` control-API calls, 50 at a time. */
async function mint<T>(count: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < count; i += 50) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => one(i + j)))),
    )
  }
  return out
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

async function startBare(): Promise<{ url: string; stop(): void }> {
  const logFile = path.join(os.tmpdir(), `bench-bare-${process.pid}.log`)
  const { child, url } = await startListening('bench/bare-server.ts', {}, logFile)
  return {
    url,
    stop: () => {
      child.kill()
      fs.rmSync(logFile, { force: true })
    },
  }
}

async function serverLoad(): Promise<{ login: Load; phone: Load; bare: Load }> {
  const server = new ServerProcess()
  await server.start()
  const bare = await startBare()
  try {
    const control = <T>(route: string, body: object) =>
      server.call<T>('POST', `/__wechat/control/${route}`, body)
    const login: Load[] = []
    const phone: Load[] = []
    const bareRuns: Load[] = []
    const { code } = await control<{ code: string; openid: string }>('login', {
      openid: 'o_bench_phone',
    })
    const { token } = await server.call<{ token: string }>('POST', '/api/auth/login', { code })
    // One unmeasured run each, so the JIT has seen the code paths before the clock starts.
    const warm = await mint(CODES_PER_RUN / 2, () => control<{ code: string }>('login', {}))
    await load({
      ...postEach(
        `${server.url}/api/auth/login`,
        warm.map(({ code }) => ({ code })),
      ),
      duration: 1,
    })
    await load({ url: `${bare.url}/bare`, duration: 1 })
    for (let run = 1; run <= RUNS; run++) {
      progress(`server load, run ${run} of ${RUNS}`)
      const codes = await mint(CODES_PER_RUN, () => control<{ code: string }>('login', {}))
      const logins = postEach(
        `${server.url}/api/auth/login`,
        codes.map(({ code }) => ({ code })),
      )
      login.push(await load({ ...logins, duration: SECONDS_PER_RUN }))
      const phoneCodes = await mint(CODES_PER_RUN, () =>
        control<{ code: string }>('phone', { openid: 'o_bench_phone' }),
      )
      const phones = postEach(
        `${server.url}/api/auth/phone`,
        phoneCodes.map(({ code }) => ({ code })),
        token,
      )
      phone.push(await load({ ...phones, duration: SECONDS_PER_RUN }))
      bareRuns.push(await load({ url: `${bare.url}/bare`, duration: SECONDS_PER_RUN }))
    }
    return { login: medianLoad(login), phone: medianLoad(phone), bare: medianLoad(bareRuns) }
  } finally {
    bare.stop()
    await server.dispose()
  }
}

// ---- Decryption against a bare AES-128-CBC decipher of the same payload

function opsPerSecond(fn: () => void): number {
  const runs: number[] = []
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint()
    let ops = 0
    while (process.hrtime.bigint() - start < 300_000_000n) {
      for (let i = 0; i < 100; i++) fn()
      ops += 100
    }
    runs.push(ops / (Number(process.hrtime.bigint() - start) / 1e9))
  }
  return median(runs)
}

function decryption(): { ours: number; bare: number } {
  const sessionKey = randomBytes(16).toString('base64')
  const phone = { phoneNumber: '13800138000', purePhoneNumber: '13800138000', countryCode: '86' }
  const payload = encryptOpenData(
    { ...phone, watermark: { appid: 'wx0000000000000000', timestamp: 1 } },
    sessionKey,
  )
  const key = Buffer.from(sessionKey, 'base64')
  const iv = Buffer.from(payload.iv, 'base64')
  const ciphertext = Buffer.from(payload.encryptedData, 'base64')
  return {
    ours: opsPerSecond(() => decryptOpenData(sessionKey, payload.encryptedData, payload.iv)),
    bare: opsPerSecond(() => {
      const decipher = createDecipheriv('aes-128-cbc', key, iv)
      Buffer.concat([decipher.update(ciphertext), decipher.final()])
    }),
  }
}

// ---- Memory: RSS over batches of 10,000 logins (after the first, the same users coming back)

const MEMORY_BATCHES = 3

function rss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  if (!match) throw new Error('no VmRSS')
  return Number(match[1]) * 1024
}

async function memory(): Promise<number[]> {
  const server = new ServerProcess()
  await server.start()
  try {
    const readings = [rss(server.pid)]
    for (let batch = 1; batch <= MEMORY_BATCHES; batch++) {
      progress(`memory, batch ${batch} of ${MEMORY_BATCHES}`)
      const codes = await mint(MEMORY_LOGINS, (i) =>
        server.call<{ code: string }>('POST', '/__wechat/control/login', {
          openid: `o_bench_memory_${i}`,
        }),
      )
      const logins = postEach(
        `${server.url}/api/auth/login`,
        codes.map(({ code }) => ({ code })),
      )
      await load({ ...logins, amount: codes.length })
      readings.push(rss(server.pid))
    }
    return readings
  } finally {
    await server.dispose()
  }
}

// ---- The table

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')
}

async function main(): Promise<void> {
  progress('client round trips and setData (jest, the real pages)')
  const { roundTrips, setData } = client()
  progress('package size')
  const size = packageSize()
  const server = await serverLoad()
  progress('decryption')
  const crypto = decryption()
  const mem = await memory()

  const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`
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
      ],
    ),
    '',
    `**Server** (autocannon, ${CONNECTIONS} connections, against the emulator in the same process; ` +
      `median of ${RUNS} runs of ${SECONDS_PER_RUN} s)`,
    '',
    table(
      ['route', 'requests/s', 'p50 ms', 'p99 ms', 'vs bare route'],
      [
        [
          'POST /api/auth/login',
          server.login.rps.toFixed(0),
          server.login.p50,
          server.login.p99,
          ratio(server.login.rps, server.bare.rps),
        ],
        [
          'POST /api/auth/phone (code)',
          server.phone.rps.toFixed(0),
          server.phone.p50,
          server.phone.p99,
          ratio(server.phone.rps, server.bare.rps),
        ],
        [
          'bare Fastify route, a constant',
          server.bare.rps.toFixed(0),
          server.bare.p50,
          server.bare.p99,
          '100 %',
        ],
      ],
    ),
    '',
    '**Decryption** (the legacy phone payload; median of 5 runs)',
    '',
    table(
      ['', 'decryptions/s', 'vs bare'],
      [
        [
          'decryptOpenData (strict base64, PKCS#7, JSON)',
          crypto.ours.toFixed(0),
          ratio(crypto.ours, crypto.bare),
        ],
        ['bare AES-128-CBC decipher of the same bytes', crypto.bare.toFixed(0), '100 %'],
      ],
    ),
    '',
    `**Memory** (server RSS after each batch of ${MEMORY_LOGINS} logins; from the second batch on, ` +
      'the same users log in again)',
    '',
    table(
      ['logins', 'RSS', 'change'],
      mem.map((bytes, i) => [
        i * MEMORY_LOGINS,
        mib(bytes),
        i === 0 ? '' : `${bytes >= mem[i - 1] ? '+' : ''}${mib(bytes - mem[i - 1])}`,
      ]),
    ),
  ].join('\n')

  // Formatted as the repository's Prettier would, so `npm test`'s lint stays green after a run.
  const style = { ...(await prettier.resolveConfig(README)), parser: 'markdown' }
  const results = `# Benchmark results\n\nWritten by \`npm run bench\`.\n\n${report}\n`
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
