import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as tls from 'node:tls'

// The kit's one way to the network: plain node:http, so it sends exactly what a check says
// (any method, any Content-Type or none, a body of any size, bytes that are not HTTP at all), and
// every answer of the backend is kept for the checks that look at all of them.

/** An answer as the kit keeps it: what was asked, and the reply, its body read as text and JSON. */
export interface Answer {
  /** The check that sent it; null for the kit's own requests before the checks. */
  check: string | null
  /** What was sent, for messages: `POST /api/auth/login`. */
  request: string
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
  /** undefined when the body is not JSON. */
  json: unknown
}

/** The backend (or the emulator) could not be reached, or did not answer in time. */
export class NetworkError extends Error {
  constructor(
    readonly request: string,
    readonly reason: string,
  ) {
    super(`${request}: ${reason}`)
    this.name = 'NetworkError'
  }
}

/**
 * The backend stopped answering earlier in the run (it died, say): the kit no longer sends it
 * anything, so a check that needs it is not run rather than failed on a refused connection.
 */
export class BackendGone extends Error {
  constructor(
    readonly request: string,
    /** The check during which it stopped. */
    readonly during: string,
  ) {
    super(`${request}: not sent, the backend stopped answering during "${during}"`)
    this.name = 'BackendGone'
  }
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** Serialized, with `Content-Type: application/json` unless headers say otherwise. */
  json?: unknown
  body?: Buffer | string
  headers?: Record<string, string>
}

type Sent = Pick<Answer, 'status' | 'headers' | 'body'>

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
}

function toAnswer(exchange: Omit<Answer, 'text' | 'json'>): Answer {
  const text = exchange.body.toString('utf8')
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { ...exchange, text, json }
}

/** Where a request goes: the server of `origin`, and `path` sent verbatim (never normalized). */
export interface Target {
  origin: URL
  path: string
}

/**
 * The path of `path` behind the base URL's own path, as a string: a URL object would resolve
 * `/avatars/../x` and `%2e%2e` before they reach the backend, and the kit sends them on purpose.
 */
export function targetOf(base: URL, path: string): Target {
  return { origin: base, path: base.pathname.replace(/\/+$/, '') + path }
}

/** One request; the answer counts once its body is read, even if the connection fails after. */
function send(
  target: Target,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  options: { agent: http.Agent | false; timeoutMs: number },
): Promise<Sent> {
  const { origin, path } = target
  const client = origin.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        protocol: origin.protocol,
        hostname: origin.hostname.replace(/^\[|\]$/g, ''),
        port: origin.port,
        path,
        method,
        headers,
        agent: options.agent,
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        )
        response.on('error', reject)
      },
    )
    request.on('timeout', () =>
      request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)),
    )
    // A server may answer (a 413, say) and close before it has read the whole body: the
    // answer has already settled this promise, and the write error that follows is moot.
    request.on('error', reject)
    request.end(body)
  })
}

function headersOf(options: RequestOptions): { headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = {}
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let body = options.body === undefined ? undefined : Buffer.from(options.body)
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = Buffer.from(JSON.stringify(options.json))
  }
  return { headers: { ...headers, ...options.headers }, body }
}

/** Reads a raw HTTP/1.1 answer: status line, headers, a body by Content-Length or chunks. */
function parseRaw(bytes: Buffer): Sent | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return null
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (!status) return null
  const headers: http.IncomingHttpHeaders = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = bytes.subarray(end + 4)
  const length = Number(headers['content-length'])
  if (Number.isInteger(length)) {
    if (body.length < length) return null
    body = body.subarray(0, length)
  } else if (/chunked/i.test(String(headers['transfer-encoding']))) {
    const chunks: Buffer[] = []
    let at = 0
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at)
      if (lineEnd < 0) return null
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16)
      if (Number.isNaN(size)) return null
      if (size === 0) break
      if (body.length < lineEnd + 2 + size) return null
      chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 4 + size
    }
    body = Buffer.concat(chunks)
  }
  return { status: Number(status[1]), headers, body }
}

/** Bytes written straight to the socket: what no HTTP client would send. */
function sendRaw(base: URL, bytes: Buffer, timeoutMs: number): Promise<Sent> {
  const port = Number(base.port) || (base.protocol === 'https:' ? 443 : 80)
  const host = base.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve, reject) => {
    const received: Buffer[] = []
    const socket: net.Socket =
      base.protocol === 'https:'
        ? tls.connect({ host, port, servername: host }, () => socket.write(bytes))
        : net.connect({ host, port }, () => socket.write(bytes))
    const settle = () => {
      const answer = parseRaw(Buffer.concat(received))
      socket.destroy()
      if (answer) resolve(answer)
      else reject(new Error('the connection closed without an HTTP answer'))
    }
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)),
    )
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk)
      if (parseRaw(Buffer.concat(received))) settle()
    })
    socket.on('end', settle)
    // A server that answers, then resets the connection over bytes it never read, still answered.
    socket.on('error', (error) => (received.length > 0 ? settle() : reject(error)))
  })
}

/** Everything the backend answered during a run, tagged with the check that asked. */
export class Recorder {
  readonly answers: Answer[] = []
  check: string | null = null
}

/** The backend under test: every answer is recorded. */
export class Backend {
  private readonly agent = new http.Agent({ keepAlive: true })
  private readonly tlsAgent = new https.Agent({ keepAlive: true })

  /** The check during which the backend stopped answering, once the run knows it has. */
  private goneDuring: string | null = null

  constructor(
    readonly base: URL,
    private readonly recorder: Recorder,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Whether anything answers HTTP at the base URL now, whatever the status: null if it does, or
   * why not (ECONNREFUSED for a process that is gone). Never recorded: it is not a check's.
   */
  async probe(): Promise<string | null> {
    try {
      await callJson(targetOf(this.base, '/'), 'GET', undefined, this.timeoutMs)
      return null
    } catch (error) {
      return error instanceof NetworkError ? error.reason : describeNetworkError(error)
    }
  }

  /** From now on every request throws BackendGone, naming the check during which it stopped. */
  stopSending(during: string): void {
    this.goneDuring = during
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.fetch(method, targetOf(this.base, path), options, `${method} ${path}`)
  }

  /** A URL the backend handed out (an avatar's), wherever it points. */
  get(url: string): Promise<Answer> {
    const parsed = new URL(url)
    return this.fetch(
      'GET',
      { origin: parsed, path: parsed.pathname + parsed.search },
      {},
      `GET ${url}`,
    )
  }

  /** Where a request for `path` goes on the backend's host: behind the base URL's path prefix. */
  pathOf(path: string): string {
    return targetOf(this.base, path).path
  }

  /** Bytes sent as they are, on a connection of their own. */
  async raw(bytes: string, label: string): Promise<Answer> {
    const request = `${label} (raw bytes)`
    this.refuseIfGone(request)
    const sent = await sendRaw(this.base, Buffer.from(bytes, 'latin1'), this.timeoutMs).catch(
      (error: unknown) => {
        throw new NetworkError(request, describeNetworkError(error))
      },
    )
    return this.record(request, sent)
  }

  close(): void {
    this.agent.destroy()
    this.tlsAgent.destroy()
  }

  private async fetch(
    method: string,
    target: Target,
    options: RequestOptions,
    request: string,
  ): Promise<Answer> {
    this.refuseIfGone(request)
    const { headers, body } = headersOf(options)
    const agent = target.origin.protocol === 'https:' ? this.tlsAgent : this.agent
    const sent = await send(target, method, headers, body, {
      agent,
      timeoutMs: this.timeoutMs,
    }).catch((error: unknown) => {
      throw new NetworkError(request, describeNetworkError(error))
    })
    return this.record(request, sent)
  }

  private refuseIfGone(request: string): void {
    if (this.goneDuring !== null) throw new BackendGone(request, this.goneDuring)
  }

  private record(request: string, sent: Sent): Answer {
    const answer = toAnswer({ check: this.recorder.check, request, ...sent })
    this.recorder.answers.push(answer)
    return answer
  }
}

/** A JSON call nobody records: the emulator's control API. */
export async function callJson(
  target: Target,
  method: string,
  json: unknown,
  timeoutMs: number,
): Promise<Answer> {
  const { headers, body } = headersOf(json === undefined ? {} : { json })
  const request = `${method} ${target.path}`
  // A connection per call (agent: false): nothing is left open when the run ends.
  const sent = await send(target, method, headers, body, { agent: false, timeoutMs }).catch(
    (error: unknown) => {
      throw new NetworkError(request, describeNetworkError(error))
    },
  )
  return toAnswer({ check: null, request, ...sent })
}
