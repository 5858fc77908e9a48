import { connect, type Socket } from 'node:net'

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
