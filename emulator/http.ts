import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import {
  answerClientErrors,
  describeValidation,
  isFastifyError,
} from '../common/http/client-errors'
import { WECHAT_ERRCODE as E } from '../common/wechat-errcodes'
import { CONTROL_PREFIX } from './control-api/schema'
import { WechatError, wechatFailure } from './errcodes'

// Everything under the emulator answers as WeChat does, whatever the client sent: a JSON body
// `{"errcode","errmsg"}`, never this server's `{"error":…}` and never Fastify's own shape.
// WeChat answers its API's errors, including an unknown path or a wrong method, with HTTP 200 and
// an errcode (40066 "invalid url", 43001/43002 "require GET/POST method", 44002 "empty post data",
// 45002 "content size out of limit", 47001 "data format error"); SDKs rely on that, some (Go's
// silenceper/wechat) failing with no errcode at all on any other status. The control API is not
// WeChat's: it speaks the same body shape but with a 4xx status, so that a tool notices a mistake.

/** The emulator takes JSON bodies up to this size, whatever they say they are: 45002 beyond. */
export const EMULATOR_BODY_LIMIT = 16 * 1024

/** How the control API's errors map to HTTP statuses; WeChat's own paths always answer 200. */
const CONTROL_STATUS: Record<number, number> = {
  [E.SYSTEM_BUSY]: 500,
  [E.INVALID_OPENID]: 404,
  [E.INVALID_URL]: 404,
  [E.REQUIRE_GET]: 405,
  [E.REQUIRE_POST]: 405,
  [E.CONTENT_TOO_LARGE]: 413,
}

export const wechatStatus = (): number => 200
export const controlStatus = (errcode: number): number => CONTROL_STATUS[errcode] ?? 400

/** The methods each path of the emulator answers, to tell a wrong method from an unknown path. */
export class RouteMethods {
  private readonly methods = new Map<string, Set<string>>()

  readonly record = (route: RouteOptions): void => {
    const known = this.methods.get(route.url) ?? new Set<string>()
    for (const method of [route.method].flat()) known.add(method)
    this.methods.set(route.url, known)
  }

  /** 43002 where only POST would do, 43001 where GET would, 40066 where nothing would. */
  errcodeFor(path: string): number {
    const known = this.methods.get(path)
    if (!known) return E.INVALID_URL
    return known.has('POST') ? E.REQUIRE_POST : E.REQUIRE_GET
  }
}

/**
 * WeChat reads every request body as JSON, whatever its Content-Type says (form bodies sent to
 * its JSON APIs answer 47001): no body stays undefined, for the API to answer 44002.
 */
export function readBodiesAsJson(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= EMULATOR_BODY_LIMIT
  })
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text.length === 0) return done(null, undefined)
    parseJson(request, text, (error, value) => {
      done(error && new WechatError(E.DATA_FORMAT_ERROR, 'the body is not JSON'), value)
    })
  })
}

function toWechatError(error: unknown): WechatError | null {
  if (error instanceof WechatError) return error
  if (!isFastifyError(error)) return null
  if (error.validation) return new WechatError(E.INVALID_ARGS, describeValidation(error))
  if (error.code === 'FST_ERR_BAD_URL')
    return new WechatError(E.INVALID_URL, 'the path does not decode')
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new WechatError(E.CONTENT_TOO_LARGE, `the body is over ${EMULATOR_BODY_LIMIT} bytes`)
  }
  return (error.statusCode ?? 500) < 500
    ? new WechatError(E.DATA_FORMAT_ERROR, error.message)
    : null
}

type ErrorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void

/** Answers any error the way WeChat words it, with the status `status` gives its errcode. */
export function wechatErrorHandler(status: (errcode: number) => number): ErrorHandler {
  return (error, request, reply) => {
    let wechat = toWechatError(error)
    if (!wechat) {
      request.log.error({ err: error }, 'unexpected error in the WeChat emulator')
      wechat = new WechatError(E.SYSTEM_BUSY)
    }
    void reply.status(status(wechat.errcode)).send(wechatFailure(wechat.errcode, wechat.detail))
  }
}

/** Errors and unknown routes in this context (and its prefix) answer in WeChat's shape. */
export function answerInWechatShape(
  app: FastifyInstance,
  options: { routes: RouteMethods; status: (errcode: number) => number },
): void {
  const { routes, status } = options
  app.setErrorHandler(wechatErrorHandler(status))
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    const errcode = routes.errcodeFor(path)
    void reply.status(status(errcode)).send(wechatFailure(errcode))
  })
}

function isUnder(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false
  const rest = url.slice(prefix.length)
  return rest === '' || rest.startsWith('/') || rest.startsWith('?')
}

/**
 * Fastify's frameworkErrors (a URL that does not decode) is one handler for a whole server: this
 * one answers in WeChat's shape under the emulator's `prefix`, and leaves the rest to `otherwise`.
 */
export function frameworkErrorsUnder(prefix: string, otherwise: ErrorHandler): ErrorHandler {
  const wechat = wechatErrorHandler(wechatStatus)
  const control = wechatErrorHandler(controlStatus)
  return (error, request, reply) => {
    const url = request.url
    if (!isUnder(url, prefix)) return otherwise(error, request, reply)
    return (isUnder(url, prefix + CONTROL_PREFIX) ? control : wechat)(error, request, reply)
  }
}

/**
 * A request Node refuses has no path to go by: it gets WeChat's shape, and a 400, or a 408 with
 * -1 (WeChat's "system busy, retry") for one that did not arrive in time.
 */
export const wechatClientErrorHandler = answerClientErrors(({ timeout, message }) =>
  timeout
    ? { status: 408, body: wechatFailure(E.SYSTEM_BUSY, message) }
    : { status: 400, body: wechatFailure(E.DATA_FORMAT_ERROR, message) },
)
