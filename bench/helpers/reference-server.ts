/**
 * The yardsticks of the server benchmark, in the same framework and logging as the server:
 *
 * - POST /login, the physical reference of the login route: the same body schema, one call over
 *   a keep-alive node:http agent to a bare upstream (bench/helpers/upstream.ts) that answers a canned
 *   code2Session, and the same store write (the server's own Kysely store on SQLite, its
 *   recordLogin with a new token's hash). What the login route costs beyond this is its own.
 * - GET /bare, a constant: the ceiling of the framework on this machine.
 *
 * UPSTREAM_URL says where the upstream listens; DATA_DIR where the store lives.
 */
import Fastify from 'fastify'
import { logSerializers } from '../../common/http/log'
import { AJV_OPTIONS } from '../../common/http/ajv'
import { LOGIN_BODY } from '../../miniprogram/contract'
import { issueToken, OneLinePerRequest, openStore } from '../../server/src'
import { code2Session } from './code2session'
import { helperLine } from './line'

const TOKEN_TTL_S = 7 * 24 * 3600

async function main(): Promise<void> {
  // Quiet until the helper's first line is out (the bench reads it), then as the server logs.
  const app = Fastify({
    logger: { level: 'warn', serializers: logSerializers },
    logController: new OneLinePerRequest(),
    ajv: AJV_OPTIONS,
  })
  const store = await openStore({ dataDir: process.env.DATA_DIR ?? '', database: null }, app.log)

  app.post<{ Body: { code: string } }>(
    '/login',
    { schema: { body: LOGIN_BODY } },
    async (request) => {
      const session = await code2Session(request.body.code)
      const { token, hash } = issueToken()
      const at = Date.now()
      const login = { openid: session.openid, unionid: null, sessionKey: session.session_key }
      const expiresAt = at + TOKEN_TTL_S * 1000
      const user = await store.recordLogin(login, { tokenHash: hash, expiresAt }, at)
      return { token, expiresIn: TOKEN_TTL_S, user: { id: user.id, nickName: user.nickName } }
    },
  )
  app.get('/bare', async () => ({ ok: true }))

  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  console.log(helperLine(address))
  app.log.level = 'info'
}

void main()
