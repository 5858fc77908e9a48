import { networkInterfaces } from 'node:os'
import { hostInUrl } from '../../common/http/origin'
import { serverLine } from '../../common/listening'
import { redactUrl } from '../../common/redact'
import { PREVIEW_PHONE_NUMBER } from '../../emulator'
import { ConfigError, loadConfig, type Config } from './config/config'
import { isLoopbackHost } from './config/wechat-target'
import { loadPreview, previewWanted } from './routes/preview'
import type { LogDestination } from './app'
import { startServer, type RunningServer } from './server'

// The first line is parsed by tools (common/listening.ts). In development, with the emulator on,
// under npm start, the next line gives the browser preview's address:
//   preview: http://127.0.0.1:3000/preview/

// `docker stop` sends SIGKILL 10 s after SIGTERM (Kubernetes: 30 s): the requests in flight get
// most of that, closing the store the rest.
const STOP_GRACE_MS = 8_000
const STOP_DEADLINE_MS = 10_000

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

function describeStartError(error: unknown, config: Config): string {
  const code = (error as { code?: unknown }).code
  if (code === 'EADDRINUSE')
    return `port ${config.port} is in use: stop the other server or set PORT`
  if (code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine`
  return error instanceof Error ? error.message : String(error)
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address)
}

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message)
    throw error
  }
  const preview = await loadPreview(config)
  // Log lines wait until the first lines are out: Fastify logs its own "Server listening" as it
  // starts, and tools read the first line (and people the second) as the addresses.
  const log = heldUntilReleased(process.stdout)
  const server = await startServer({
    config,
    log: { stream: log },
    plugins: preview ? [preview.plugin] : [],
  }).catch((error: unknown) => {
    log.release()
    return fail(`cannot start: ${describeStartError(error, config)}`)
  })

  // Before the first line: a tool that reads it may send SIGTERM at once, and gets a graceful stop.
  stopOnSignals(server, config.shutdownDelayS)
  console.log(
    serverLine({
      url: `http://${hostInUrl(config.host)}:${server.port}`,
      wechatApiBase: redactUrl(server.wechatApiBase),
      builtInEmulator: config.emulator !== null,
    }),
  )
  if (preview) console.log(`preview: ${server.url}${preview.path}`)
  else if (previewWanted(config)) {
    console.log('the browser preview comes with npm start: the compiled server does not serve it')
  }
  if (server.metricsUrl !== null) console.log(`metrics: ${server.metricsUrl}`)
  if (config.host === '0.0.0.0' || config.host === '::') {
    for (const address of lanAddresses())
      console.log(`  on the LAN: http://${address}:${server.port}`)
  }
  const loopback = isLoopbackHost(config.host)
  if (config.emulator && !loopback) {
    console.log(
      'warning: the emulator and its control API (/__wechat) are reachable from the network: ' +
        'for development only',
    )
  }
  if (config.emulator && config.production) {
    console.log('warning: EMULATOR=1 under NODE_ENV=production: anyone can sign in as anyone')
  }
  if (typeof config.trustProxy === 'number' && config.trustProxy > 0 && !loopback) {
    console.log(
      `warning: TRUST_PROXY=${config.trustProxy} believes X-Forwarded-For from whoever ` +
        `connects, and HOST=${config.host} lets clients connect without the proxy: ` +
        "set TRUST_PROXY to the proxies' addresses instead",
    )
  }
  const { metrics } = config
  if (metrics && metrics.port !== null && metrics.token === null && !isLoopbackHost(metrics.host)) {
    console.log(
      `warning: the metrics on METRICS_HOST=${metrics.host} answer whoever reaches them: ` +
        'set METRICS_TOKEN, or keep the port behind a firewall only Prometheus passes',
    )
  }
  if (config.emulator?.mode === 'preview') {
    console.log(
      'the emulator runs in preview mode: login codes it never minted (real DevTools codes) ' +
        `sign in one preview user, and unknown phone codes answer ${PREVIEW_PHONE_NUMBER}`,
    )
  }

  log.release()
}

/** A log destination that holds its lines until release(), then writes through. */
function heldUntilReleased(out: NodeJS.WritableStream): LogDestination & { release(): void } {
  let held: string[] | null = []
  return {
    write(line) {
      if (held) held.push(line)
      else out.write(line)
    },
    release() {
      for (const line of held ?? []) out.write(line)
      held = null
    },
  }
}

/**
 * SIGTERM (an orchestrator, a process manager) or SIGINT (Ctrl-C): not ready any more, and after
 * SHUTDOWN_DELAY_S stop accepting, let the requests in flight finish, close the store, exit 0. A
 * second signal ends the process at once.
 */
function stopOnSignals(server: RunningServer, delayS: number): void {
  const signals = ['SIGINT', 'SIGTERM'] as const
  const stop = (signal: NodeJS.Signals): void => {
    for (const other of signals) process.off(other, stop)
    // Only a store (or a Redis) that does not close in time gets here.
    const deadlineMs = delayS * 1000 + STOP_DEADLINE_MS
    setTimeout(() => {
      server.log.fatal(`not stopped within ${deadlineMs / 1000} s: exiting anyway`)
      process.exit(1)
    }, deadlineMs).unref()
    server.close(STOP_GRACE_MS, delayS * 1000).then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.fatal({ err: error }, 'cannot stop cleanly')
        process.exit(1)
      },
    )
    server.log.info(
      delayS > 0
        ? `${signal}: stopping: not ready from now on, stops accepting in ${delayS} s, then ` +
            `requests in flight have ${STOP_GRACE_MS / 1000} s to finish`
        : `${signal}: stopping: no new connections, requests in flight have ` +
            `${STOP_GRACE_MS / 1000} s to finish`,
    )
  }
  for (const signal of signals) process.on(signal, stop)
}

void main()
