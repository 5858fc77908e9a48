/**
 * Several instances of the compiled server, as production runs them (plain node on
 * server/dist/main.js, NODE_ENV=production), on one PostgreSQL and one Redis, with the standalone
 * emulator in a process of its own as their WeChat: for the multi-instance suite and the benchmark.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { startListening } from './server-process'

const ROOT = path.resolve(__dirname, '../..')

/** The instances' PHONE_ENCRYPTION_KEY, which production requires. */
export const CLUSTER_PHONE_KEY = randomBytes(32).toString('base64')

/**
 * The server bundled as `npm run build` bundles it (its `bundle` step, after the type check),
 * into a directory of this run's own, so that a suite building meanwhile (server/test/main.test.ts,
 * into server/dist) never hands either a half-written file. Under node_modules, where the bundle
 * finds its dependencies.
 */
export async function compileServer(): Promise<{ main: string; remove(): Promise<void> }> {
  const outDir = path.join(
    ROOT,
    'node_modules/.cache/weapp-login',
    `build-${randomBytes(6).toString('hex')}`,
  )
  // esbuild takes the last --outdir, so this one overrides the script's.
  await promisify(execFile)('npm', ['run', 'bundle', '-w', 'server', '--', `--outdir=${outDir}`], {
    cwd: ROOT,
  })
  return {
    main: path.join(outDir, 'main.js'),
    remove: () => fs.promises.rm(outDir, { recursive: true, force: true }),
  }
}

/** The WeChat the instances call: the standalone emulator's address and credentials. */
export interface WechatOfInstances {
  url: string
  appid: string
  secret: string
}

export interface ClusterOptions {
  /** The compiled server's main.js. */
  main: string
  wechat: WechatOfInstances
  /** Default: none, so SQLite in a DATA_DIR of the instance's own (one instance only). */
  databaseUrl?: string
  /** Default: none, so the rate limit and the access token are the instance's own. */
  redisUrl?: string
  /** More variables, e.g. RATE_LIMIT_PER_MIN. */
  env?: Record<string, string>
}

export interface Instance {
  readonly name: string
  readonly url: string
  readonly pid: number
  readonly logFile: string
  /** Until it exits. */
  running(): boolean
  /** The `msg` of every JSON log line it wrote. */
  messages(): string[]
  /** Sends the signal; resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Resolves with its exit code (null after a signal it did not handle) once it is gone. */
  readonly exited: Promise<number | null>
}

/** One instance, in production: logs to a file of its own in `dir`. */
export async function startInstance(
  name: string,
  options: ClusterOptions,
  dir: string,
): Promise<Instance> {
  const logFile = path.join(dir, `${name}.log`)
  const { child, url } = await startListening(
    options.main,
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      // Unused with DATABASE_URL; never the repository's own server/.data.
      DATA_DIR: path.join(dir, `${name}-data`),
      WECHAT_API_BASE: options.wechat.url,
      WECHAT_APPID: options.wechat.appid,
      WECHAT_SECRET: options.wechat.secret,
      DATABASE_URL: options.databaseUrl ?? '',
      REDIS_URL: options.redisUrl ?? '',
      // The client plays many users from this machine, each with an address of its own.
      TRUST_PROXY: '127.0.0.1',
      // One key for all, as every instance must read what another encrypted.
      PHONE_ENCRYPTION_KEY: CLUSTER_PHONE_KEY,
      // Nothing may load TypeScript at run time.
      NODE_OPTIONS: '',
      ...options.env,
    },
    logFile,
  )
  const exited = new Promise<number | null>((resolve) => {
    if (running(child)) child.once('exit', (code) => resolve(code))
    else resolve(child.exitCode)
  })
  return {
    name,
    url,
    pid: child.pid ?? 0,
    logFile,
    running: () => running(child),
    messages: () =>
      fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg)),
    kill: async (signal = 'SIGTERM') => {
      if (running(child)) child.kill(signal)
      await exited
    },
    exited,
  }
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

export interface Cluster {
  /** Replace one (after a kill) by assigning a new startInstance(…, dir) to its place. */
  instances: Instance[]
  dir: string
  /** SIGTERM to every instance still in `instances`; removes `dir`. */
  stop(): Promise<void>
}

/** `count` instances started together, named A, B, C…; a temporary directory holds their logs. */
export async function startCluster(count: number, options: ClusterOptions): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-cluster-'))
  const names = Array.from({ length: count }, (_, i) => String.fromCharCode(65 + i))
  const started = await Promise.allSettled(names.map((name) => startInstance(name, options, dir)))
  const instances = started.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  )
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    await Promise.all(instances.map((instance) => instance.kill()))
    throw failed.reason
  }
  return {
    instances,
    dir,
    stop: async () => {
      await Promise.all(instances.map((instance) => instance.kill()))
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
