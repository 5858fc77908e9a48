import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localOrigin } from '../../common/http/origin'
import { buildApp, createEmulator, EMULATOR_PREFIX, type AppOptions } from './app'
import { loadConfig, type Config } from './config/config'
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
  /**
   * Stops accepting connections, lets the requests in flight finish, then closes the store.
   * Connections still open after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>
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
  const url = localOrigin(app)
  return {
    url,
    port: Number(new URL(url).port),
    wechatApiBase: config.wechat.apiBase ?? url + EMULATOR_PREFIX,
    emulator,
    close: async (graceMs) => {
      const deadline =
        graceMs === undefined
          ? undefined
          : setTimeout(() => app.server.closeAllConnections(), graceMs)
      try {
        // Stops accepting at once (Fastify's close would only after its preClose hooks) and waits
        // for the requests in flight; then Fastify's close runs the onClose hooks (the store).
        await new Promise((resolve) => app.server.close(resolve))
        await app.close()
      } finally {
        clearTimeout(deadline)
        await removeTempDir()
      }
    },
  }
}
