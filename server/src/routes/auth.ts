import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import {
  ANONYMOUS_NICKNAME,
  API_PATHS,
  EMPTY_BODY,
  LOGIN_ANSWER,
  LOGIN_BODY,
  normalizeNickName,
  PHONE_BODY,
  PHONE_NUMBER,
  USER_INFO,
  USER_INFO_ANSWER,
  USER_INFO_BODY,
} from '../../../miniprogram/contract'
import { AnswerError, read } from '../../../miniprogram/contract/read'
import {
  OpenDataError,
  openEncryptedData,
  verifySignature,
  type OpenData,
} from '../../../common/open-data'
import { ApiError, type ErrorCode } from '../http/errors'
import { DECRYPTION_BUDGET_WINDOW_MS, DecryptionBudget } from '../limits/decryption-budget'
import { windowCounter } from '../limits/window-counter'
import type { UserRecord } from '../store'
import { parsePhoneInfo, type PhoneNumber } from '../wechat/phone-info'
import { authenticate, sessionOf } from '../sessions/authenticate'
import { issueToken } from '../sessions/tokens'
import { toUser } from '../sessions/user'
import { answer, BEARER, BEARER_ERRORS, BODY_ERRORS, errorAnswers } from './answers'
import type { RouteDeps } from './deps'

const TAGS = ['auth']
/** Every route here takes a JSON body and counts against the per-address budget. */
const AUTH_ROUTE: readonly ErrorCode[] = [...BODY_ERRORS, 'RATE_LIMITED']
/** What WeChat's answers to a code can mean (code2Session and getuserphonenumber alike). */
const WECHAT_ERRORS: readonly ErrorCode[] = [
  'WECHAT_CODE_INVALID',
  'WECHAT_RISK_BLOCKED',
  'WECHAT_ERROR',
  'WECHAT_BAD_ANSWER',
  'WECHAT_UNAVAILABLE',
]
/**
 * What a payload sealed with the session_key can fail on: one answer whatever the reason
 * (http/errors.ts), and the user's budget of such failures (RATE_LIMITED, with AUTH_ROUTE's).
 */
const SEALED_ERRORS: readonly ErrorCode[] = ['SESSION_KEY_STALE']

/** /api/auth/*: the login, the consent payloads (phone, user info) and the logouts. */
export const authRoutes: FastifyPluginAsync<RouteDeps> = async (plugin, deps) => {
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()
  const { config, store, wechat, now, redis, rateLimit, metrics } = deps

  // A hook of this context, so it runs before each route's own token check and one budget
  // per client address covers all the auth routes (and the account routes: account.ts).
  if (rateLimit) app.addHook('onRequest', rateLimit)

  const requireSession = authenticate(store, now)
  const budget = new DecryptionBudget(
    windowCounter({
      redis,
      namespace: 'decryption-failures:',
      windowMs: DECRYPTION_BUDGET_WINDOW_MS,
      now,
    }),
  )

  /**
   * Decrypts a payload sealed with the user's session_key, checks its watermark and reads it with
   * `readData`, within the user's budget of failures. Why one failed goes to the log (a '+' turned
   * into a space says where to look); the client's answer is the same whatever the reason.
   */
  const openSealed = <T>(
    request: FastifyRequest,
    user: UserRecord,
    payload: { encryptedData: string; iv: string },
    readData: (data: OpenData) => T,
  ): Promise<T> =>
    budget.spend(user.id, () => {
      const policy = {
        appid: config.wechat.appid,
        nowS: Math.floor(now() / 1000),
        maxAgeS: config.watermarkMaxAgeS,
      }
      try {
        return readData(openEncryptedData(user.sessionKey, payload, policy))
      } catch (error) {
        if (error instanceof OpenDataError) {
          request.log.info({ reason: error.reason, detail: error.message }, 'open data refused')
        }
        throw error
      }
    })

  app.post(
    API_PATHS.login,
    {
      schema: {
        summary: 'The silent login: a wx.login code for a token',
        tags: TAGS,
        body: LOGIN_BODY,
        response: {
          200: answer(LOGIN_ANSWER, 'A new token for the user of the code'),
          ...errorAnswers([...AUTH_ROUTE, ...WECHAT_ERRORS]),
        },
      },
    },
    async (request) => {
      const login = await wechat.code2Session(request.body.code)
      const { token, hash } = issueToken()
      const at = now()
      const expiresAt = at + config.tokenTtlS * 1000
      const user = await store.recordLogin(login, { tokenHash: hash, expiresAt }, at)
      metrics?.login()
      return { token, expiresIn: config.tokenTtlS, user: toUser(user, request) }
    },
  )

  app.post(
    API_PATHS.phone,
    {
      onRequest: requireSession,
      schema: {
        summary: "The user's phone number, from the getphonenumber event",
        tags: TAGS,
        security: BEARER,
        body: PHONE_BODY,
        response: {
          200: answer(PHONE_NUMBER, 'The number, now stored on the user'),
          ...errorAnswers([...AUTH_ROUTE, ...BEARER_ERRORS, ...WECHAT_ERRORS, ...SEALED_ERRORS]),
        },
      },
    },
    async (request) => {
      const { user } = sessionOf(request)
      const { code, encryptedData, iv } = request.body
      let phone: PhoneNumber
      // PHONE_BODY's anyOf has refused a body with neither already; its type cannot tell.
      if (code !== undefined) phone = await wechat.getPhoneNumber(code, user.openid)
      else if (encryptedData !== undefined && iv !== undefined) {
        // The legacy path, for base libraries older than 2.21.2, which send no phone code.
        phone = await openSealed(request, user, { encryptedData, iv }, (data) => {
          const number = parsePhoneInfo(data)
          if (!number)
            throw new OpenDataError('content', 'the decrypted data is not a phone number')
          return number
        })
      } else throw new ApiError('INVALID_REQUEST', 'send code, or encryptedData and iv')
      await store.setPhoneNumber(user.id, phone.phoneNumber, now())
      metrics?.phoneBound(code !== undefined ? 'code' : 'legacy')
      return phone
    },
  )

  app.post(
    API_PATHS.userInfo,
    {
      onRequest: requireSession,
      schema: {
        summary: 'WeChat user info, from the getuserinfo event',
        tags: TAGS,
        security: BEARER,
        body: USER_INFO_BODY,
        response: {
          200: answer(USER_INFO_ANSWER, 'The decrypted user info, and the user'),
          ...errorAnswers([...AUTH_ROUTE, ...BEARER_ERRORS, 'SIGNATURE_INVALID', ...SEALED_ERRORS]),
        },
      },
    },
    async (request) => {
      let { user } = sessionOf(request)
      const { encryptedData, iv, rawData, signature } = request.body
      // Before anything is decrypted: only what WeChat signed for this session gets that far.
      if (!verifySignature(rawData, signature, user.sessionKey)) {
        throw new ApiError('SIGNATURE_INVALID', 'signature is not sha1(rawData + session_key)')
      }
      // Only the fields the contract names: openId and unionId stay on the server, like the key.
      const userInfo = await openSealed(request, user, { encryptedData, iv }, (data) => {
        try {
          return read(USER_INFO, data, 'the decrypted data')
        } catch (error) {
          if (!(error instanceof AnswerError)) throw error
          throw new OpenDataError('content', `not user info: ${error.message}`)
        }
      })
      // WeChat answers every user as 微信用户 with a grey avatar now: nothing worth keeping.
      if (userInfo.nickName !== ANONYMOUS_NICKNAME) {
        const nickName = normalizeNickName(userInfo.nickName) ?? undefined
        const { avatarUrl } = userInfo
        const avatar = webAddress(avatarUrl) ? avatarUrl : undefined
        user = await store.setProfile(user.id, { nickName, avatar }, now())
      }
      return { userInfo, user: toUser(user, request) }
    },
  )

  app.post(
    API_PATHS.logout,
    {
      onRequest: requireSession,
      schema: {
        summary: 'Ends the session: the token stops working at once',
        tags: TAGS,
        security: BEARER,
        body: EMPTY_BODY,
        response: {
          204: answer({ type: 'null' } as const, 'Logged out: no body'),
          ...errorAnswers([...AUTH_ROUTE, ...BEARER_ERRORS]),
        },
      },
    },
    async (request, reply) => {
      await store.deleteSession(sessionOf(request).tokenHash)
      return reply.code(204).send(null)
    },
  )

  app.post(
    API_PATHS.logoutAll,
    {
      onRequest: requireSession,
      schema: {
        summary:
          "Ends every session of the user, this one included: every device's token stops working",
        tags: TAGS,
        security: BEARER,
        body: EMPTY_BODY,
        response: {
          204: answer({ type: 'null' } as const, 'Logged out everywhere: no body'),
          ...errorAnswers([...AUTH_ROUTE, ...BEARER_ERRORS]),
        },
      },
    },
    async (request, reply) => {
      await store.deleteUserSessions(sessionOf(request).user.id)
      return reply.code(204).send(null)
    },
  )
}

/** An avatar address worth keeping from WeChat's user info: a plain http(s) URL of sane length. */
function webAddress(url: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (url.length > 2048 || /[\u0000-\u001f\u007f]/.test(url) || !URL.canParse(url)) return false
  const { protocol } = new URL(url)
  return protocol === 'http:' || protocol === 'https:'
}
