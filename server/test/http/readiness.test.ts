/** A stop turns the server unready first, and only then stops accepting. */
import { connect } from 'node:net'
import { startServer, type RunningServer } from '../../src/server'
import { checkAnswer } from '../support/contract'

async function get(server: RunningServer, path: string) {
  const response = await fetch(server.url + path)
  const text = await response.text()
  checkAnswer('GET', path, {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
  })
  return {
    status: response.status,
    connection: response.headers.get('connection'),
    body: JSON.parse(text) as unknown,
  }
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

it('answers /readyz 503 NOT_READY while it drains, serves meanwhile, then closes its listener', async () => {
  const server = await startServer({ log: false })
  expect(await get(server, '/readyz')).toMatchObject({ status: 200, connection: 'keep-alive' })

  const closed = server.close(5_000, 1_500)
  expect(await get(server, '/readyz')).toEqual({
    status: 503,
    connection: 'close',
    body: { error: { code: 'NOT_READY', message: 'the server is stopping' } },
  })
  // Still alive, still serving; every answer asks its client to close the connection.
  expect(await get(server, '/healthz')).toEqual({
    status: 200,
    connection: 'close',
    body: { status: 'ok' },
  })
  expect(await get(server, '/api/me')).toMatchObject({ status: 401, connection: 'close' })

  await closed
  expect(await refused(server.port)).toBe('ECONNREFUSED')
})
