/**
 * Keeps miniprogram-ci off the network. Even a local compile asks servicewechat.com for its list
 * of allowed file extensions and falls back to a built-in list when that fails; left alone, the
 * answer (or, behind a firewall that drops packets, a long connect timeout) would depend on the
 * machine. Routed through a proxy on 127.0.0.1 that refuses everything, every such call fails at
 * once, the same way everywhere, and is recorded.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as ci from 'miniprogram-ci'

export interface NoNetwork {
  /** `host:port` (HTTPS) or URL (HTTP) of every call miniprogram-ci tried, in order. */
  readonly refused: readonly string[]
  close(): Promise<void>
}

export async function refuseNetwork(): Promise<NoNetwork> {
  const refused: string[] = []
  const proxy = http.createServer((req, res) => {
    refused.push(req.url ?? '')
    res.writeHead(403).end()
  })
  proxy.on('connect', (req: http.IncomingMessage, socket) => {
    refused.push(req.url ?? '')
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as AddressInfo
  ci.proxy(`http://127.0.0.1:${port}`)
  return {
    refused,
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  }
}
