import { PREVIEW_PHONE_NUMBER } from '../../emulator'
import { networkInterfaces } from 'node:os'
import { hostInUrl } from './app'
import { ConfigError, loadConfig, type Config } from './config/config'
import { loadPreview, previewWanted } from './routes/preview'
import { startServer, type RunningServer } from './server'

// The first line is parsed by tools (the end-to-end suite): keep its shape.
//   listening on http://127.0.0.1:3000 (WeChat API: emulator at http://127.0.0.1:3000/__wechat)
//   listening on http://0.0.0.0:3000 (WeChat API: https://api.weixin.qq.com)
// In development, with the emulator on, under npm start, the next line gives the browser
// preview's address:
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
  const server = await startServer({ config, plugins: preview ? [preview.plugin] : [] }).catch(
    (error: unknown) => fail(`cannot start: ${describeStartError(error, config)}`),
  )

  const wechat = config.emulator ? `emulator at ${server.wechatApiBase}` : server.wechatApiBase
  console.log(
    `listening on http://${hostInUrl(config.host)}:${server.port} (WeChat API: ${wechat})`,
  )
  if (preview) console.log(`preview: ${server.url}${preview.path}`)
  else if (previewWanted(config)) {
    console.log('the browser preview comes with npm start: the compiled server does not serve it')
  }
  if (config.host === '0.0.0.0' || config.host === '::') {
    for (const address of lanAddresses())
      console.log(`  on the LAN: http://${address}:${server.port}`)
  }
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.host)
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
  if (config.emulator?.mode === 'preview') {
    console.log(
      'the emulator runs in preview mode: login codes it never minted (real DevTools codes) ' +
        `sign in one preview user, and unknown phone codes answer ${PREVIEW_PHONE_NUMBER}`,
    )
  }

  stopOnSignals(server)
}

/**
 * SIGTERM (an orchestrator, a process manager) or SIGINT (Ctrl-C): stop accepting, let the
 * requests in flight finish, close the store, exit 0. A second signal ends the process at once.
 */
function stopOnSignals(server: RunningServer): void {
  const signals = ['SIGINT', 'SIGTERM'] as const
  const stop = (signal: NodeJS.Signals): void => {
    for (const other of signals) process.off(other, stop)
    // Only a store (or a Redis) that does not close in time gets here.
    setTimeout(() => {
      console.error(`not stopped within ${STOP_DEADLINE_MS / 1000} s: exiting anyway`)
      process.exit(1)
    }, STOP_DEADLINE_MS).unref()
    server.close(STOP_GRACE_MS).then(
      () => process.exit(0),
      (error: unknown) =>
        fail(`cannot stop cleanly: ${error instanceof Error ? error.message : String(error)}`),
    )
    // close() has stopped accepting by now.
    console.log(`${signal}: stopping, requests in flight have ${STOP_GRACE_MS / 1000} s to finish`)
  }
  for (const signal of signals) process.on(signal, stop)
}

void main()
