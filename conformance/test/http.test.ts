import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Backend, Recorder } from '../http'

// The kit sends paths as a check wrote them: a URL object would resolve '..' and '%2e%2e' away
// before a backend could show what it does with them.

let server: Server
const heard: string[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    heard.push(request.url ?? '')
    response.writeHead(404, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
})

afterAll(async () => {
  await new Promise((done) => server.close(done))
})

it('sends each path verbatim, behind the base URL’s own path, and records the answer', async () => {
  const { port } = server.address() as AddressInfo
  const recorder = new Recorder()
  const backend = new Backend(new URL(`http://127.0.0.1:${port}/app/`), recorder, 5000)
  try {
    recorder.check = 'climbing'
    for (const path of ['/avatars/../../package.json', '/avatars/%2e%2e/x', '/api/%E0%A4%A?a=1']) {
      await backend.request('GET', path)
    }
  } finally {
    backend.close()
  }
  expect(heard).toEqual([
    '/app/avatars/../../package.json',
    '/app/avatars/%2e%2e/x',
    '/app/api/%E0%A4%A?a=1',
  ])
  expect(recorder.answers.map((answer) => [answer.check, answer.request, answer.status])).toEqual([
    ['climbing', 'GET /avatars/../../package.json', 404],
    ['climbing', 'GET /avatars/%2e%2e/x', 404],
    ['climbing', 'GET /api/%E0%A4%A?a=1', 404],
  ])
})
