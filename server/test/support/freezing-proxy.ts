/**
 * A TCP proxy that can stop relaying without closing anything: the peer behind it looks like a
 * server that accepts connections and then never answers (stopped with SIGSTOP, or a host gone
 * without a word).
 */
import * as net from 'node:net'

export interface FreezingProxy {
  /** The proxy's own port on 127.0.0.1. */
  port: number
  /** Nothing more is relayed, on open connections or new ones; what arrives is held. */
  freeze(): void
  /** Everything held is delivered, and relaying goes on: the server was only paused. */
  thaw(): void
  /**
   * The connections open now never hear back, and new ones are relayed: the server has moved
   * (a failover) and the old sockets were never closed.
   */
  abandon(): void
  close(): Promise<void>
}

interface Pair {
  frozen: boolean
  held: Array<() => void>
  sockets: [net.Socket, net.Socket]
}

export async function freezingProxy(target: {
  host: string
  port: number
}): Promise<FreezingProxy> {
  let freezeNew = false
  const pairs = new Set<Pair>()
  const relay = (pair: Pair, from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk)
      }
      if (pair.frozen) pair.held.push(send)
      else send()
    })
    const end = () => {
      to.destroy()
      pairs.delete(pair)
    }
    from.on('close', end)
    from.on('error', end)
  }
  const server = net.createServer((client) => {
    const pair: Pair = { frozen: freezeNew, held: [], sockets: [client, net.connect(target)] }
    pairs.add(pair)
    relay(pair, client, pair.sockets[1])
    relay(pair, pair.sockets[1], client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      freezeNew = true
      for (const pair of pairs) pair.frozen = true
    },
    thaw: () => {
      freezeNew = false
      for (const pair of pairs) {
        pair.frozen = false
        pair.held.splice(0).forEach((send) => send())
      }
    },
    abandon: () => {
      freezeNew = false
      for (const pair of pairs) {
        pair.frozen = true
        pair.held = []
      }
    },
    close: async () => {
      for (const pair of pairs) pair.sockets.forEach((socket) => socket.destroy())
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
