import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { hostInUrl, localOrigin } from '../../common/http/origin'
import { METRICS_PATH, metricsServer } from './metrics/http'
import type { Metrics } from './metrics/metrics'
import { buildApp, createEmulator, EMULATOR_PREFIX, type AppOptions } from './app'
import { loadConfig, type Config, type MetricsConfig } from './config/config'
import type { WechatEmulator } from '../../emulator'

export interface StartServerOptions extends Omit<AppOptions, 'config'> {
  /**
   * Over these defaults: 127.0.0.1, port 0, a temporary DATA_DIR removed on close, and the
   * emulator in strict mode. Against another WeChat, set `wechat` and `emulator: null`.
   */
  config?: Partial<Config>
}

export interface RunningServer {
  /** Where a client on this machine reaches the server, e.g. http://127.0.0.1:54321. */
  url: string
  port: number
  /** The WeChat API the server talks to. */
  wechatApiBase: string
  /** The emulator mounted at /__wechat, to inspect or drive in-process; null against WeChat. */
  emulator: WechatEmulator | null
  /** Where Prometheus scrapes, with METRICS_PORT: http://host:port/metrics; else null. */
  metricsUrl: string | null
  /** The server's logger: a JSON line each, as every line after the first ones. */
  log: FastifyBaseLogger
  /**
   * Drains first: /readyz answers 503 and answers ask to close their connections, for `drainMs`,
   * while requests are still served. Then stops accepting connections, lets the requests in
   * flight finish and closes the store. Connections still open `graceMs` after that are cut.
   */
  close(graceMs?: number, drainMs?: number): Promise<void>
}

/** The whole server, app and emulator, listening: for main.ts, end-to-end tests and benchmarks. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const tempDir =
    options.config?.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'weapp-login-')) : null
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    emulator: { mode: 'strict' },
    ...options.config,
    ...(tempDir === null ? {} : { dataDir: tempDir }),
  }
  const removeTempDir = async (): Promise<void> => {
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true })
  }
  const now = options.now ?? Date.now
  const emulator = config.emulator ? (options.emulator ?? createEmulator(config, now)) : null

  const app = await buildApp({ ...options, config, now, emulator: emulator ?? undefined })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app.close()
    await removeTempDir()
    throw error
  }
  let metrics: { server: Server; url: string } | null = null
  const metricsPort = config.metrics?.port ?? null
  if (app.metrics && config.metrics && metricsPort !== null) {
    try {
      metrics = await listenForMetrics(app.metrics, { ...config.metrics, port: metricsPort })
    } catch (error) {
      await app.close()
      await removeTempDir()
      throw error
    }
  }
  const url = localOrigin(app)
  return {
    url,
    port: Number(new URL(url).port),
    wechatApiBase: config.wechat.apiBase ?? url + EMULATOR_PREFIX,
    emulator,
    metricsUrl: metrics && metrics.url,
    log: app.log,
    close: async (graceMs, drainMs = 0) => {
      app.lifecycle.drain()
      if (drainMs > 0) await sleep(drainMs)
      const deadline =
        graceMs === undefined
          ? undefined
          : setTimeout(() => app.server.closeAllConnections(), graceMs)
      try {
        // Stops accepting at once (Fastify's close would only after its preClose hooks) and waits
        // for the requests in flight; then Fastify's close runs the onClose hooks (the store).
        await new Promise((resolve) => app.server.close(resolve))
        await app.close()
        // Scraped until the end: the last scrape sees the last requests.
        if (metrics) await closeServer(metrics.server)
      } finally {
        clearTimeout(deadline)
        await removeTempDir()
      }
    },
  }
}

async function listenForMetrics(
  metrics: Metrics,
  config: MetricsConfig & { port: number },
): Promise<{ server: Server; url: string }> {
  const server = metricsServer(metrics, config.token)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return { server, url: `http://${hostInUrl(config.host)}:${port}${METRICS_PATH}` }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}
