import { randomBytes } from 'node:crypto'
import type { ImageType } from './image-type'

/** Where avatars are served; a stored avatar is this path and its file name. */
export const AVATAR_PATH = '/avatars/'

// 16 random bytes in base64url: 22 characters, which nobody can guess.
const FILE_NAME = /^[A-Za-z0-9_-]{22}\.(?:png|jpg|webp)$/

/** A new avatar's file name: random, so its public URL gives nothing away. */
export function newAvatarFileName(type: ImageType): string {
  return `${randomBytes(16).toString('base64url')}.${type.extension}`
}

/** Whether `name` could be an avatar's file name: anything else is not looked up. */
export function isAvatarFileName(name: string): boolean {
  return FILE_NAME.test(name)
}
