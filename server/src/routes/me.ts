import { randomBytes } from 'node:crypto'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { ApiError, toApiError } from '../errors'
import { sniffImageType } from '../image-type'
import { normalizeNickName } from '../nickname'
import { objectBody } from '../schema'
import { authenticate, sessionOf } from '../sessions'
import { toUser } from '../user'
import type { RouteDeps } from './deps'

export const AVATAR_MAX_BYTES = 1024 * 1024

async function readAvatar(request: FastifyRequest): Promise<Buffer> {
  try {
    const file = await request.file()
    if (!file || file.fieldname !== 'avatar') {
      throw new ApiError('INVALID_REQUEST', "no file field named 'avatar'")
    }
    return await file.toBuffer()
  } catch (error) {
    // Busboy reports a malformed body as a plain Error: the client's fault, not a bug.
    if (toApiError(error) !== null || !(error instanceof Error)) throw error
    throw new ApiError('INVALID_REQUEST', `malformed multipart body: ${error.message}`)
  }
}

/** /api/me: the signed-in user's own record, nickname and avatar. */
export const meRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const { store, now } = deps
  app.addHook('onRequest', authenticate(store, now))

  app.get('/', async (request) => ({ user: toUser(sessionOf(request).user, request) }))

  app.put<{ Body: { nickName: string } }>(
    '/profile',
    // No maxLength here: an overlong nickname is NICKNAME_INVALID, and the body limit bounds it.
    { schema: { body: objectBody({ nickName: { type: 'string' } }, ['nickName']) } },
    async (request) => {
      const nickName = normalizeNickName(request.body.nickName)
      if (nickName === null) {
        throw new ApiError(
          'NICKNAME_INVALID',
          'the nickname must be 1 to 32 characters after trimming, without control characters',
        )
      }
      const user = await store.setProfile(sessionOf(request).user.id, { nickName }, now())
      return { user: toUser(user, request) }
    },
  )

  // Multipart is parsed in this context only: anywhere else it is a 415.
  await app.register(async (upload) => {
    await upload.register(multipart, {
      limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 8, fieldSize: 1024, parts: 16 },
    })
    upload.post('/avatar', async (request) => {
      if (!request.isMultipart()) {
        throw new ApiError(
          'UNSUPPORTED_MEDIA_TYPE',
          "send multipart/form-data with a file field named 'avatar'",
        )
      }
      const data = await readAvatar(request)
      const type = sniffImageType(data)
      if (!type) {
        throw new ApiError(
          'UNSUPPORTED_MEDIA_TYPE',
          'the avatar is not a PNG, JPEG or WebP image (judged by its content)',
        )
      }
      const name = `${randomBytes(16).toString('base64url')}.${type.extension}`
      const { id } = sessionOf(request).user
      const saved = await store.saveAvatar(id, name, { contentType: type.contentType, data }, now())
      const user = toUser(saved, request)
      return { avatarUrl: user.avatarUrl, user }
    })
  })
}
