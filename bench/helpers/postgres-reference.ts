/**
 * The physical reference of a login on PostgreSQL and Redis, in the same framework and logging
 * as the server: POST /login makes the calls the server's login makes, each written by hand —
 * the rate limiter's one Redis script (INCR, then PEXPIRE or PTTL), one keep-alive call to the
 * same WeChat (the emulator) for code2Session, and the store's one statement with pg directly
 * (the users upsert and the session insert, in one WITH), on a pool of the server's default
 * size. What one instance on PostgreSQL and Redis costs beyond this is the server's own.
 *
 * UPSTREAM_URL (with UPSTREAM_APPID and UPSTREAM_SECRET), DATABASE_URL (its schema made by the
 * server's migrations) and REDIS_URL say where each is.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { Pool } from 'pg'
import { AJV_OPTIONS } from '../../common/http/ajv'
import { logSerializers } from '../../common/http/log'
import { LOGIN_BODY } from '../../miniprogram/contract'
import { issueToken, OneLinePerRequest, openStore } from '../../server/src'
import { code2Session } from './code2session'
import { helperLine } from './line'

const TOKEN_TTL_S = 7 * 24 * 3600
const POOL_MAX = 10
const WINDOW_MS = 60_000

// The server's window counter (limits/window-counter.ts), as a request under the limit runs it.
const RATE_LIMIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`

const LOGIN =
  'with "upserted" as (insert into "users" ("id", "openid", "unionid", "session_key", ' +
  '"created_at", "updated_at", "last_login_at") values ($1, $2, $3, $4, $5, $6, $7) on conflict ' +
  '("openid") do update set "session_key" = "excluded"."session_key", "unionid" = ' +
  'coalesce("excluded"."unionid", "users"."unionid"), "updated_at" = "excluded"."updated_at", ' +
  '"last_login_at" = "excluded"."last_login_at" returning *), "opened" as (insert into ' +
  '"sessions" ("token_hash", "user_id", "expires_at", "created_at") select $8 as "token_hash", ' +
  '"upserted"."id", $9 as "expires_at", $10 as "created_at" from "upserted") select * from ' +
  '"upserted"'

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? ''
  // The server's own migrations make the schema; the requests then run without it.
  await (
    await openStore(
      {
        dataDir: '',
        database: { url: databaseUrl, poolMax: 1 },
        // No number is stored here: the key only opens the store.
        phoneKeys: { current: randomBytes(32), previous: [] },
      },
      console,
    )
  ).close()
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_MAX })
  const redis = new Redis(process.env.REDIS_URL ?? '', { keyPrefix: 'bench-reference:' })
  redis.defineCommand('rateLimit', { numberOfKeys: 1, lua: RATE_LIMIT })
  const limit = (key: string) =>
    (redis as Redis & { rateLimit(key: string, windowMs: number): Promise<unknown> }).rateLimit(
      key,
      WINDOW_MS,
    )

  // Quiet until the helper's first line is out (the bench reads it), then as the server logs.
  const app = Fastify({
    logger: { level: 'warn', serializers: logSerializers },
    logController: new OneLinePerRequest(),
    ajv: AJV_OPTIONS,
  })
  app.post<{ Body: { code: string } }>(
    '/login',
    { schema: { body: LOGIN_BODY } },
    async (request) => {
      await limit(`rate-limit:${request.ip}`)
      const session = await code2Session(request.body.code)
      const { token, hash } = issueToken()
      const at = Date.now()
      const { rows } = await pool.query<{ id: string; nick_name: string | null }>(LOGIN, [
        randomUUID(),
        session.openid,
        null,
        session.session_key,
        at,
        at,
        at,
        hash,
        at + TOKEN_TTL_S * 1000,
        at,
      ])
      const user = rows[0]
      if (!user) throw new Error('no user')
      return { token, expiresIn: TOKEN_TTL_S, user: { id: user.id, nickName: user.nick_name } }
    },
  )

  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  console.log(helperLine(address))
  app.log.level = 'info'
}

void main()
