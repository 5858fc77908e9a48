import swagger from '@fastify/swagger'
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerOptions,
} from 'fastify'
import type { Config } from './config/config'
import { ApiError, clientErrorHandler, errorHandler, notFoundHandler } from './http/errors'
import { emulatorPlugin, frameworkErrorsUnder, MOUNTED_AT, WechatEmulator } from '../../emulator'
import {
  httpServerOptions,
  refuseMissingHost,
  refuseUnmetExpectations,
  type RequestTimeouts,
} from '../../common/http/limits'
import { securityHeaders } from './http/headers'
import { Lifecycle } from './http/lifecycle'
import { OPENAPI_OPTIONS } from './http/openapi'
import { metricsRoute, recordRequests } from './metrics/http'
import { instrumentRedis, instrumentStore } from './metrics/instrument'
import { Metrics } from './metrics/metrics'
import { carryRequestIds, OneLinePerRequest, requestIds, withRequestId } from './http/request-log'
import { logSerializers } from '../../common/http/log'
import { localOrigin } from '../../common/http/origin'
import { RedisTokenStore } from './wechat/access-token/redis-store'
import { addressRateLimit, RATE_LIMIT_WINDOW_MS } from './limits/rate-limit'
import { windowCounter } from './limits/window-counter'
import type { SharedRedis } from './redis/shared'
import { accountRoutes } from './routes/account'
import { authRoutes } from './routes/auth'
import { avatarRoutes } from './routes/avatars'
import type { RouteDeps } from './routes/deps'
import { healthRoutes } from './routes/health'
import { meRoutes } from './routes/me'
import { AJV_OPTIONS } from '../../common/http/ajv'
import { openStore, StoreUnavailableError, type Store } from './store'
import { FallbackTokenStore } from './wechat/access-token/store'
import {
  createWechatClient,
  DEFAULT_WECHAT_HTTP,
  type WechatApi,
  type WechatHttpOptions,
} from './wechat/client'

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether the server is stopping: startServer's close() drains it first. */
    lifecycle: Lifecycle
    /** With METRICS_PORT or METRICS_TOKEN; startServer serves them on METRICS_PORT. */
    metrics: Metrics | null
  }
}

/** The built-in emulator's base under this server. */
export const EMULATOR_PREFIX = MOUNTED_AT
// Fatal: bytes that are not UTF-8 are refused, not turned into U+FFFD and stored.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const JSON_BODY_LIMIT = 16 * 1024
const SWEEP_INTERVAL_MS = 10 * 60_000

/** Where log lines go: one JSON line per write. */
export interface LogDestination {
  write(line: string): void
}

export interface AppOptions {
  config: Config
  /** The clock, in epoch milliseconds: token expiry, watermarks, the emulator's codes. */
  now?: () => number
  /** Default: a store on config.database or in config.dataDir, closed with the app. */
  store?: Store
  /** Default: the HTTP client of WeChat's API at config.wechat.apiBase. */
  wechat?: WechatApi
  /** Default: a new emulator when config.emulator is set. */
  emulator?: WechatEmulator
  /** Where log lines go (default stdout); false: no logging. */
  log?: { stream?: LogDestination; level?: string } | false
  wechatHttp?: Partial<WechatHttpOptions>
  requestTimeouts?: Partial<RequestTimeouts>
  sweepIntervalMs?: number
  /** Before every Redis key (default `weapp-login:`): tests that share a Redis keep apart. */
  redisKeyPrefix?: string
  /** Registered after the routes: development tools (main.ts adds the browser preview). */
  plugins?: FastifyPluginAsync[]
}

function utf8(bytes: Buffer | string): string | null {
  if (typeof bytes === 'string') return bytes
  try {
    return UTF8.decode(bytes)
  } catch {
    return null
  }
}

export function createEmulator(config: Config, now: () => number): WechatEmulator {
  return new WechatEmulator({
    appid: config.wechat.appid,
    secret: config.wechat.secret,
    mode: config.emulator?.mode ?? 'strict',
    now,
  })
}

/**
 * Fastify's trustProxy. Fastify 5.12 reads a plain number as "trust nobody", since a hop count
 * trusts whoever connects (the README says when that is safe): a hop count is passed as the
 * function it stands for.
 */
function trustedProxies(trust: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (typeof trust !== 'number') return [...trust]
  return trust > 0 && ((_address: string, hop: number) => hop < trust)
}

/**
 * The client of WeChat's API at config.wechat.apiBase, or of the emulator mounted on `app`. With
 * Redis, its access token is the one every instance shares, and this process's own while Redis
 * cannot be reached: WeChat is still there, and a token per instance costs a few stable_token
 * calls, far below its quota, where failing the phone step would cost the users.
 */
function ownWechatClient(
  app: FastifyInstance,
  options: AppOptions,
  now: () => number,
  redis: SharedRedis | null,
  metrics: Metrics | null,
): WechatApi {
  const { apiBase, appid, secret } = options.config.wechat
  const client = createWechatClient({
    appid,
    secret,
    apiBase: apiBase === null ? () => localOrigin(app) + EMULATOR_PREFIX : () => apiBase,
    http: { ...DEFAULT_WECHAT_HTTP, ...options.wechatHttp },
    now,
    log: app.log.child({ component: 'wechat' }),
    tokenStore: redis ? new FallbackTokenStore(new RedisTokenStore(redis, appid, now)) : undefined,
    metrics: metrics ?? undefined,
  })
  app.addHook('onClose', async () => client.close())
  return client
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const now = options.now ?? Date.now
  const log = options.log ?? {}

  const app = Fastify({
    logger: log && {
      level: log.level ?? config.logLevel,
      stream: log.stream,
      serializers: logSerializers,
      mixin: withRequestId,
    },
    logController: new OneLinePerRequest(),
    genReqId: requestIds(config.trustProxy),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: trustedProxies(config.trustProxy),
    ...httpServerOptions(options.requestTimeouts),
    ajv: AJV_OPTIONS,
    // A URL the router cannot decode, a parameter over its length, a request Node cannot parse:
    // Fastify's own answers to these have another shape than the contract's one error shape.
    frameworkErrors: config.emulator
      ? frameworkErrorsUnder(EMULATOR_PREFIX, errorHandler)
      : errorHandler,
    clientErrorHandler,
  })

  carryRequestIds(app)
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)

  refuseMissingHost(app)
  refuseUnmetExpectations(app)

  // JSON only: text/plain would reach the schemas as a string.
  app.removeContentTypeParser(['application/json', 'text/plain'])
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // An empty body is no body: a bodyless POST may still say application/json.
    if (body.length === 0) return done(null, undefined)
    const text = utf8(body)
    if (text === null) return done(new ApiError('INVALID_REQUEST', 'the body is not valid UTF-8'))
    parseJson(request, text, (error, value) => {
      // Fastify's message would quote the body back.
      done(error && new ApiError('INVALID_REQUEST', 'the body is not valid JSON'), value)
    })
  })
  // No body is an empty object, so a route's schema decides whether that will do.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {}
  })

  app.decorateRequest('session', null)

  const lifecycle = new Lifecycle()
  app.decorate('lifecycle', lifecycle)
  // A stop waits for the requests in flight; their keep-alive connections would then hold it
  // open until keepAliveTimeout. While it drains, a proxy's pooled connections run out rather
  // than meet the listener closing under them.
  app.addHook('onSend', async (_request, reply) => {
    if (lifecycle.draining || !app.server.listening) reply.header('connection', 'close')
  })
  app.addHook('onSend', securityHeaders)

  const metrics = config.metrics && new Metrics()
  app.decorate('metrics', metrics)
  if (metrics) recordRequests(app, metrics)

  const opened = options.store ?? (await openStore(config, app.log.child({ component: 'store' })))
  const store = metrics ? instrumentStore(opened, metrics) : opened
  const sweep = setInterval(() => {
    store.deleteExpiredSessions(now()).catch((error: unknown) => {
      // An outage is the store's to log, once; the next sweep catches up.
      if (!(error instanceof StoreUnavailableError)) {
        app.log.error({ err: error }, 'the sweep of expired sessions failed')
      }
    })
  }, options.sweepIntervalMs ?? SWEEP_INTERVAL_MS)
  sweep.unref()
  app.addHook('onClose', async () => {
    clearInterval(sweep)
    if (!options.store) await opened.close()
  })

  let redis: SharedRedis | null = null
  if (config.redis) {
    // ioredis loads only with REDIS_URL.
    const { connectRedis } = await import('./redis/connection')
    const shared = await connectRedis(
      config.redis,
      app.log.child({ component: 'redis' }),
      options.redisKeyPrefix,
    )
    // After the requests in flight, with the store.
    app.addHook('onClose', async () => shared.close())
    redis = metrics ? instrumentRedis(shared, metrics) : shared
  }

  if (config.emulator) {
    const emulator = options.emulator ?? createEmulator(config, now)
    // The emulator stands in for WeChat: a log line for each of its calls would double the log.
    await app.register(emulatorPlugin, { emulator, prefix: EMULATOR_PREFIX, logLevel: 'warn' })
  }

  const wechat = options.wechat ?? ownWechatClient(app, options, now, redis, metrics)

  // Before the routes, which it collects as they are added: app.swagger() is the contract.
  await app.register(swagger, OPENAPI_OPTIONS)

  const rateLimit = await addressRateLimit(
    app,
    config,
    windowCounter({ redis, namespace: 'rate-limit:', windowMs: RATE_LIMIT_WINDOW_MS, now }),
    () => metrics?.rateLimited(),
  )
  const deps: RouteDeps = { config, store, wechat, now, redis, rateLimit, lifecycle, metrics }
  await app.register(healthRoutes, deps)
  await app.register(authRoutes, deps)
  await app.register(meRoutes, deps)
  await app.register(accountRoutes, deps)
  await app.register(avatarRoutes, deps)
  // Behind the token on the public listener only without a listener of their own (server.ts).
  if (metrics && config.metrics?.port === null && config.metrics.token !== null) {
    metricsRoute(app, metrics, config.metrics.token)
  }
  for (const plugin of options.plugins ?? []) {
    await app.register(plugin, { logLevel: 'warn' })
  }
  return app
}
