import type { FastifyRequest } from 'fastify'
import type { UserRecord } from './store'

/** The user as clients see it (docs/api.md): never the openid, unionid or session_key. */
export interface User {
  id: string
  nickName: string | null
  avatarUrl: string | null
  phoneNumber: string | null
}

/** Resolves an uploaded avatar's path against the origin the client reached this server at. */
export function toUser(record: UserRecord, request: FastifyRequest): User {
  const origin = `${request.protocol}://${request.host || 'localhost'}`
  const avatar = record.avatar
  return {
    id: record.id,
    nickName: record.nickName,
    avatarUrl:
      avatar === null || !URL.canParse(avatar, origin) ? avatar : new URL(avatar, origin).href,
    phoneNumber: record.phoneNumber,
  }
}
