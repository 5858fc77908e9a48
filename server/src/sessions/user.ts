import type { FastifyRequest } from 'fastify'
import type { User } from '../../../miniprogram/contract'
import type { UserRecord } from '../store'

export type { User }

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
