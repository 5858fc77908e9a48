import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync } from 'fastify'
import { openEncryptedData, verifySignature, type WatermarkPolicy } from '../crypto'
import { ApiError } from '../errors'
import { ANONYMOUS_NICKNAME, normalizeNickName } from '../nickname'
import { parsePhoneInfo, type PhoneInfo } from '../phone'
import { sharedRateLimit } from '../redis/rate-limit'
import { EMPTY_BODY, objectBody, text } from '../schema'
import { authenticate, sessionOf } from '../sessions'
import { issueToken } from '../tokens'
import { toUser } from '../user'
import type { RouteDeps } from './deps'

const CODE = text(128)
// Lengths only: the crypto module explains what else is wrong with a value.
const ENCRYPTED_DATA = { type: 'string', maxLength: 8192 }
const IV = { type: 'string', maxLength: 64 }

interface PhoneBody {
  code?: string
  encryptedData?: string
  iv?: string
}

interface UserInfoBody {
  encryptedData: string
  iv: string
  rawData?: string
  signature?: string
}

/** /api/auth/*: the login, the consent payloads (phone, user info) and the logout. */
export const authRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const { config, store, wechat, now, redis } = deps

  if (config.rateLimitPerMin > 0) {
    await app.register(rateLimit, {
      global: false,
      max: config.rateLimitPerMin,
      timeWindow: 60_000,
      ...sharedRateLimit(redis),
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          'RATE_LIMITED',
          `too many requests from this address; retry in ${context.after}`,
        ),
    })
    // A hook of this context, so it runs before each route's own token check and one budget
    // per client address covers all the auth routes.
    app.addHook('onRequest', app.rateLimit())
  }

  const requireSession = authenticate(store, now)
  const watermarkPolicy = (): WatermarkPolicy => ({
    appid: config.wechat.appid,
    nowS: Math.floor(now() / 1000),
    maxAgeS: config.watermarkMaxAgeS,
  })

  /** The legacy path, for base libraries older than 2.21.2, which send no phone code. */
  const decryptPhone = (sessionKey: string, payload: Omit<PhoneBody, 'code'>): PhoneInfo => {
    const { encryptedData, iv } = payload
    if (encryptedData === undefined || iv === undefined) {
      throw new ApiError('INVALID_REQUEST', 'send code, or encryptedData and iv')
    }
    const phone = parsePhoneInfo(
      openEncryptedData(sessionKey, { encryptedData, iv }, watermarkPolicy()),
    )
    if (!phone) throw new ApiError('INVALID_REQUEST', 'the decrypted data is not a phone number')
    return phone
  }

  app.post<{ Body: { code: string } }>(
    '/login',
    { schema: { body: objectBody({ code: CODE }, ['code']) } },
    async (request) => {
      const login = await wechat.code2Session(request.body.code)
      const { token, hash } = issueToken()
      const at = now()
      const expiresAt = at + config.tokenTtlS * 1000
      const user = await store.recordLogin(login, { tokenHash: hash, expiresAt }, at)
      return { token, expiresIn: config.tokenTtlS, user: toUser(user, request) }
    },
  )

  app.post<{ Body: PhoneBody }>(
    '/phone',
    {
      onRequest: requireSession,
      schema: {
        body: {
          ...objectBody({ code: CODE, encryptedData: ENCRYPTED_DATA, iv: IV }),
          dependencies: { encryptedData: ['iv'], iv: ['encryptedData'] },
        },
      },
    },
    async (request): Promise<PhoneInfo> => {
      const { user } = sessionOf(request)
      const { code, encryptedData, iv } = request.body
      const phone =
        code === undefined
          ? decryptPhone(user.sessionKey, { encryptedData, iv })
          : await wechat.getPhoneNumber(code, user.openid)
      await store.setPhoneNumber(user.id, phone.phoneNumber, now())
      return phone
    },
  )

  app.post<{ Body: UserInfoBody }>(
    '/userinfo',
    {
      onRequest: requireSession,
      schema: {
        body: {
          ...objectBody(
            { encryptedData: ENCRYPTED_DATA, iv: IV, rawData: text(4096), signature: text(64) },
            ['encryptedData', 'iv'],
          ),
          dependencies: { rawData: ['signature'], signature: ['rawData'] },
        },
      },
    },
    async (request) => {
      let { user } = sessionOf(request)
      const { encryptedData, iv, rawData, signature } = request.body
      if (rawData !== undefined && signature !== undefined) {
        if (!verifySignature(rawData, signature, user.sessionKey)) {
          throw new ApiError('SIGNATURE_INVALID', 'signature is not sha1(rawData + session_key)')
        }
      }
      const data = openEncryptedData(user.sessionKey, { encryptedData, iv }, watermarkPolicy())
      // Identifiers stay on the server, like the session_key.
      const userInfo = Object.fromEntries(
        Object.entries(data).filter(([key]) => key !== 'openId' && key !== 'unionId'),
      )
      if (typeof userInfo.nickName !== 'string') {
        throw new ApiError('INVALID_REQUEST', 'the decrypted data is not user info')
      }
      // WeChat answers every user as 微信用户 with a grey avatar now: nothing worth keeping.
      if (userInfo.nickName !== ANONYMOUS_NICKNAME) {
        const nickName = normalizeNickName(userInfo.nickName) ?? undefined
        const { avatarUrl } = userInfo
        const avatar =
          typeof avatarUrl === 'string' && /^https?:\/\//.test(avatarUrl) ? avatarUrl : undefined
        user = await store.setProfile(user.id, { nickName, avatar }, now())
      }
      return { userInfo, user: toUser(user, request) }
    },
  )

  app.post(
    '/logout',
    { onRequest: requireSession, schema: { body: EMPTY_BODY } },
    async (request, reply) => {
      await store.deleteSession(sessionOf(request).tokenHash)
      return reply.code(204).send()
    },
  )
}
