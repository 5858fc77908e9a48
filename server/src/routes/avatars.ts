import type { FastifyPluginAsync } from 'fastify'
import { ApiError } from '../http/errors'
import { AVATAR_PATH, isAvatarFileName } from '../avatars/file-name'
import { errorAnswers } from './answers'
import type { RouteDeps } from './deps'

const IMAGE = { schema: { type: 'string', contentMediaType: 'application/octet-stream' } }

/** GET /avatars/:file: public, as the names are random; a name never changes its bytes. */
export const avatarRoutes: FastifyPluginAsync<RouteDeps> = async (app, { store }) => {
  app.get<{ Params: { file: string } }>(
    `${AVATAR_PATH}:file`,
    {
      schema: {
        summary: 'An uploaded avatar: public, under a random name that never changes its bytes',
        tags: ['avatars'],
        response: {
          200: {
            description: 'The image, with its content type',
            content: { 'image/png': IMAGE, 'image/jpeg': IMAGE, 'image/webp': IMAGE },
          },
          ...errorAnswers(['NOT_FOUND']),
        },
      },
    },
    async (request, reply) => {
      const { file } = request.params
      const avatar = isAvatarFileName(file) ? await store.findAvatar(file) : undefined
      if (!avatar) throw new ApiError('NOT_FOUND', `no avatar ${file}`)
      return (
        reply
          .type(avatar.contentType)
          // A file's name changes with its bytes, so the user's own client may keep it; a shared
          // cache (a CDN, a proxy) may not, or it would serve it on after the account is deleted.
          .header('cache-control', 'private, max-age=31536000, immutable')
          .header('x-content-type-options', 'nosniff')
          .send(avatar.data)
      )
    },
  )
}
