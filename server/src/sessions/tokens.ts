import { createHash, randomBytes } from 'node:crypto'

// 32 random bytes in base64url: 43 characters.
const TOKEN = /^[A-Za-z0-9_-]{43}$/

/** The store only ever sees the hash: a leaked database does not hand out live sessions. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function issueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '')
  return match?.[1] !== undefined && TOKEN.test(match[1]) ? match[1] : null
}
