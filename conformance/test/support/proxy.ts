import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { clientErrorHandler } from '../../../server/src'

// A reverse proxy in front of a real server, with a hook that may change what goes through: how
// the tests plant a defect in the reference server without touching its code, and how they
// listen in on what the server hears from WeChat.

export interface ProxiedRequest {
  method: string
  /** As the client sent it, never normalized ('/avatars/../x' stays so). */
  path: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface ProxiedReply {
  status: number
  headers: http.OutgoingHttpHeaders
  body: Buffer
}

/** Sees each request; answers by forwarding it (and maybe changing the reply) or on its own. */
export type Hook = (
  request: ProxiedRequest,
  forward: () => Promise<ProxiedReply>,
) => Promise<ProxiedReply>

export interface Proxy {
  url: string
  close(): Promise<void>
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length']

function withoutHopByHop<T extends http.IncomingHttpHeaders>(headers: T): T {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name)),
  ) as T
}

export function jsonReply(reply: ProxiedReply): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(reply.body.toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

export function withJson(reply: ProxiedReply, body: unknown): ProxiedReply {
  return { ...reply, body: Buffer.from(JSON.stringify(body)) }
}

export async function startProxy(target: string, hook: Hook): Promise<Proxy> {
  const { hostname, port } = new URL(target)
  const agent = new http.Agent({ keepAlive: true })

  const forward = (request: ProxiedRequest): Promise<ProxiedReply> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: hostname,
          port,
          method: request.method,
          path: request.path,
          headers: { ...withoutHopByHop(request.headers), 'content-length': request.body.length },
          agent,
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: withoutHopByHop(response.headers),
              body: Buffer.concat(chunks),
            }),
          )
        },
      )
      upstream.on('error', reject)
      upstream.end(request.body)
    })

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const request: ProxiedRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      }
      hook(request, () => forward(request)).then(
        (reply) => {
          outgoing.writeHead(reply.status, {
            ...reply.headers,
            'content-length': reply.body.length,
          })
          outgoing.end(reply.body)
        },
        (error: unknown) => {
          outgoing.writeHead(502, { 'content-type': 'text/plain' })
          outgoing.end(`proxy: ${String(error)}`)
        },
      )
    })
  })
  // What Node refuses before a handler (a broken request line, huge headers) gets the answer the
  // proxied server gives it, so the proxy itself plants no defect there.
  server.on('clientError', clientErrorHandler)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      // The port first, then the connections, so nothing connects in between: as a process that
      // dies, which the tests also play with this.
      const closed = new Promise((done) => server.close(done))
      server.closeAllConnections()
      await closed
      agent.destroy()
    },
  }
}
