import { connect, type Socket } from 'node:net'
import type { RequestTimeouts } from '../../../common/http/limits'

/** Limits short enough that a test does not wait 30 s; the defaults are the same mechanism. */
export const SHORT_TIMEOUTS: RequestTimeouts = {
  requestMs: 1000,
  headersMs: 1000,
  checkIntervalMs: 100,
}

/** [what drips, the start of the request, each drip]: a POST to `path` that never finishes. */
export function drippedRequests(path: string): [string, string, string][] {
  const head = `POST ${path} HTTP/1.1\r\nHost: x\r\n`
  return [
    ['its body', `${head}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"`, 'a'],
    ['its headers', head, 'X-Drip: a\r\n'],
  ]
}

/**
 * Raw bytes over one connection, for what fetch() would not send (no Host, broken HTTP, a
 * dripped request): the answer, split into head and body, once the server closes the connection.
 */
export function exchange(
  url: string,
  send: (socket: Socket) => void,
): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect(Number(port), hostname, () => send(socket))
    socket.on('data', (chunk) => (text += chunk.toString()))
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n')
      resolve({ head, body })
    })
  })
}

/**
 * Starts a request with `start`, then sends `drip` every 20 ms, never finishing it, until the
 * server cuts the connection: the answer, and how many drips went out.
 */
export async function dripUntilCut(
  url: string,
  start: string,
  drip: string,
): Promise<{ head: string; body: string; dripped: number }> {
  let dripped = 0
  const answer = await exchange(url, (socket) => {
    socket.write(start)
    const dripping = setInterval(() => {
      if (socket.writable) socket.write(drip, () => dripped++)
    }, 20)
    socket.on('close', () => clearInterval(dripping))
  })
  return { ...answer, dripped }
}
