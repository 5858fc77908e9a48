import Fastify, { type FastifyInstance } from 'fastify'
import {
  httpServerOptions,
  refuseMissingHost,
  refuseUnmetExpectations,
  type RequestTimeouts,
} from '../common/http/limits'
import { logSerializers } from '../common/http/log'
import { localOrigin } from '../common/http/origin'
import { AJV_OPTIONS } from '../common/http/ajv'
import type { EmulatorConfig } from './config'
import { WechatEmulator } from './emulator'
import { emulatorPlugin } from './plugin'
import {
  frameworkErrorsUnder,
  wechatClientErrorHandler,
  wechatErrorHandler,
  wechatStatus,
} from './http'

export interface RunningEmulator {
  /** Where a client on this machine reaches it, e.g. http://127.0.0.1:3100: WeChat's base URL. */
  url: string
  port: number
  emulator: WechatEmulator
  close(): Promise<void>
}

export interface StartEmulatorOptions extends EmulatorConfig {
  /** The clock, in epoch milliseconds: codes, tokens, watermarks. */
  now?: () => number
  /** Default: the server's, DEFAULT_REQUEST_TIMEOUTS. */
  requestTimeouts?: Partial<RequestTimeouts>
}

/** The emulator alone: WeChat's paths at the root, the control API under /control. */
export async function buildEmulatorApp(
  emulator: WechatEmulator,
  requestTimeouts?: Partial<RequestTimeouts>,
): Promise<FastifyInstance> {
  const app = Fastify({
    // Only what goes wrong, and never a query string, which carries the secret and codes.
    logger: { level: 'warn', serializers: logSerializers },
    ...httpServerOptions(requestTimeouts),
    ajv: AJV_OPTIONS,
    frameworkErrors: frameworkErrorsUnder('', wechatErrorHandler(wechatStatus)),
    clientErrorHandler: wechatClientErrorHandler,
  })
  refuseMissingHost(app)
  refuseUnmetExpectations(app)
  await app.register(emulatorPlugin, { emulator })
  return app
}

export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const { host, port, appid, secret, mode } = options
  const emulator = new WechatEmulator({ appid, secret, mode, now: options.now ?? Date.now })
  const app = await buildEmulatorApp(emulator, options.requestTimeouts)
  try {
    await app.listen({ host, port })
  } catch (error) {
    await app.close()
    throw error
  }
  const url = localOrigin(app)
  return {
    url,
    port: Number(new URL(url).port),
    emulator,
    close: () => app.close(),
  }
}
