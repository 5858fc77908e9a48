import multipart from '@fastify/multipart'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import {
  API_PATHS,
  AVATAR_ANSWER,
  AVATAR_MAX_BYTES,
  AVATAR_UPLOAD,
  NICKNAME_MAX_CODE_POINTS,
  normalizeNickName,
  PROFILE_BODY,
  USER_ANSWER,
} from '../../../miniprogram/contract'
import { ApiError, toApiError } from '../http/errors'
import { newAvatarFileName } from '../avatars/file-name'
import { sniffImageType } from '../avatars/image-type'
import { authenticate, sessionOf } from '../sessions/authenticate'
import { toUser } from '../sessions/user'
import { answer, BEARER, BEARER_ERRORS, BODY_ERRORS, errorAnswers } from './answers'
import type { RouteDeps } from './deps'

const TAGS = ['me']

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
export const meRoutes: FastifyPluginAsync<RouteDeps> = async (plugin, deps) => {
  const app = plugin.withTypeProvider<JsonSchemaToTsProvider>()
  const { store, now } = deps
  app.addHook('onRequest', authenticate(store, now))

  app.get(
    API_PATHS.me,
    {
      schema: {
        summary: 'The signed-in user',
        tags: TAGS,
        security: BEARER,
        response: { 200: answer(USER_ANSWER, 'The user'), ...errorAnswers(BEARER_ERRORS) },
      },
    },
    async (request) => ({ user: toUser(sessionOf(request).user, request) }),
  )

  app.put(
    API_PATHS.profile,
    {
      schema: {
        summary: "Sets the user's nickname",
        tags: TAGS,
        security: BEARER,
        body: PROFILE_BODY,
        response: {
          200: answer(USER_ANSWER, 'The user, with the nickname saved'),
          ...errorAnswers([...BODY_ERRORS, ...BEARER_ERRORS, 'NICKNAME_INVALID']),
        },
      },
    },
    async (request) => {
      const nickName = normalizeNickName(request.body.nickName)
      if (nickName === null) {
        throw new ApiError(
          'NICKNAME_INVALID',
          `the nickname must be 1 to ${NICKNAME_MAX_CODE_POINTS} characters after trimming, without control characters ` +
            'or invisible marks',
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
    upload.withTypeProvider<JsonSchemaToTsProvider>().post(
      API_PATHS.avatar,
      {
        schema: {
          summary: "Uploads the user's avatar (what wx.uploadFile sends)",
          tags: TAGS,
          security: BEARER,
          response: {
            200: answer(AVATAR_ANSWER, "The avatar's URL, and the user"),
            ...errorAnswers([...BODY_ERRORS, ...BEARER_ERRORS]),
          },
        },
        // The file is read by the handler, from the stream: the document names the body, but no
        // schema could validate it before the handler runs.
        config: {
          swaggerTransform: ({ schema, url }) => ({
            schema: { ...schema, consumes: ['multipart/form-data'], body: AVATAR_UPLOAD },
            url,
          }),
        },
      },
      async (request) => {
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
        const name = newAvatarFileName(type)
        const { id } = sessionOf(request).user
        const saved = await store.saveAvatar(
          id,
          name,
          { contentType: type.contentType, data },
          now(),
        )
        const user = toUser(saved, request)
        if (user.avatarUrl === null) throw new Error('the store answered a user without the avatar')
        return { avatarUrl: user.avatarUrl, user }
      },
    )
  })
}
