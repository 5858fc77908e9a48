import type { FastifyInstance } from 'fastify'

export function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** Where a client on this machine reaches the app, from the address it is bound to (PORT=0 too). */
export function localOrigin(app: FastifyInstance): string {
  const address = app.server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('the server is not listening on a TCP port')
  }
  const wildcard: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1' }
  return `http://${hostInUrl(wildcard[address.address] ?? address.address)}:${address.port}`
}
