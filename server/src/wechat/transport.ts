import * as http from 'node:http'
import * as https from 'node:https'

// WeChat answers a few hundred bytes: anything this large is not an answer from WeChat.
const MAX_ANSWER_BYTES = 64 * 1024
// Connections to WeChat at once, per process; further calls wait for one (within their timeout).
const MAX_SOCKETS = 64
// An idle connection is dropped after this (undici's default keep-alive), before a server
// would drop it under a request.
const IDLE_SOCKET_MS = 4_000

export interface Answer {
  status: number
  text: string
}

/** The answer was larger than WeChat's ever are: not worth a retry. */
export class AnswerTooLarge extends Error {
  constructor() {
    super(`the answer is over ${MAX_ANSWER_BYTES} bytes`)
    this.name = 'AnswerTooLarge'
  }
}

/** A network failure or a timeout: `reason` is safe to log (never the URL, which holds secrets). */
export class TransportError extends Error {
  constructor(
    readonly reason: string,
    /**
     * Whether the request may have reached WeChat: false only when no connection was made (refused,
     * unreachable, a name that does not resolve, a connection that never opened), so nothing
     * of it was written.
     */
    readonly reached: boolean,
  ) {
    super(reason)
    this.name = 'TransportError'
  }
}

export interface Transport {
  /** GET without a body, POST with a JSON one; each call ends within `timeoutMs`. */
  send(path: string, json: string | undefined, timeoutMs: number): Promise<Answer>
  /** Closes the idle connections; calls in flight fail. */
  close(): void
}

/** HTTP to one base URL over one keep-alive agent: what a call to WeChat costs, and no more. */
export function createTransport(base: string): Transport {
  const url = new URL(base)
  const secure = url.protocol === 'https:'
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS }
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
  const request = secure ? https.request : http.request
  const target = {
    agent,
    // URL keeps an IPv6 address in brackets; the request wants it bare.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    // A proxy's credentials in WECHAT_API_BASE (http://user:pw@host), sent as Basic auth.
    auth:
      url.username === ''
        ? undefined
        : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    prefix: url.pathname.replace(/\/+$/, ''),
  }

  const send = (path: string, json: string | undefined, timeoutMs: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const outgoing = request({
        ...target,
        path: target.prefix + path,
        method: json === undefined ? 'GET' : 'POST',
        headers:
          json === undefined
            ? undefined
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) },
      })
      // Connected means written: the request goes out as soon as the connection is open (a kept
      // alive one is open already).
      let reached = false
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) reached = true
        else socket.once(secure ? 'secureConnect' : 'connect', () => (reached = true))
      })
      const timer = setTimeout(
        () => outgoing.destroy(new TransportError(`no answer within ${timeoutMs} ms`, reached)),
        timeoutMs,
      )
      const fail = (error: Error & { code?: unknown }): void => {
        clearTimeout(timer)
        if (error instanceof TransportError || error instanceof AnswerTooLarge) reject(error)
        else {
          const reason = typeof error.code === 'string' ? error.code : error.message
          reject(new TransportError(reason, reached))
        }
      }
      outgoing.on('error', fail)
      outgoing.on('response', (incoming) => {
        const chunks: Buffer[] = []
        let size = 0
        incoming.on('error', fail)
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_ANSWER_BYTES) outgoing.destroy(new AnswerTooLarge())
          else chunks.push(chunk)
        })
        incoming.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: incoming.statusCode ?? 0,
            text: Buffer.concat(chunks, size).toString(),
          })
        })
      })
      outgoing.end(json)
    })

  return { send, close: () => agent.destroy() }
}
