/**
 * The bare upstream of the benchmark's reference: a minimal HTTP server answering every request
 * with a canned code2Session answer, a new openid for each code (so each login of the reference
 * writes a new user, as each of the benchmark's logins on the real server does).
 */
import * as http from 'node:http'
import { helperLine } from './line'

const SESSION_KEY = Buffer.alloc(16, 7).toString('base64')

const server = http.createServer((request, response) => {
  const code = new URL(request.url ?? '/', 'http://upstream').searchParams.get('js_code') ?? ''
  const body = JSON.stringify({ openid: `o_${code}`, session_key: SESSION_KEY })
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  response.end(body)
})
server.keepAliveTimeout = 4_000

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  console.log(helperLine(`http://127.0.0.1:${address.port}`))
})
