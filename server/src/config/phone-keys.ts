import { createHash } from 'node:crypto'
import type { EnvReader } from '../../../common/env'

/**
 * The keys of the phone numbers at rest (AES-256-GCM): the current one encrypts, every one of them
 * decrypts. Each is known by its id, which every stored value carries, so keys can rotate.
 */
export interface PhoneKeys {
  current: Buffer
  /** Older keys still read, until every value is encrypted again with the current one. */
  previous: readonly Buffer[]
}

export const PHONE_KEY_BYTES = 32
/** What `openssl rand -base64 32` prints: 32 bytes, in standard base64 with its padding. */
const KEY_TEXT = /^[A-Za-z0-9+/]{43}=$/
export const KEY_HINT = `32 random bytes in base64 (openssl rand -base64 ${PHONE_KEY_BYTES})`

/** How long a key's id is: 8 hex digits, which every stored value starts with. */
export const KEY_ID_LENGTH = 8

/** The id a key is known by: a fingerprint, so no one names keys and none can be misnamed. */
export function phoneKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('weapp-login phone key ')
    .update(key)
    .digest('hex')
    .slice(0, KEY_ID_LENGTH)
}

/** The key a text spells, or null when it is not one. */
export function parsePhoneKey(text: string): Buffer | null {
  const trimmed = text.trim()
  return KEY_TEXT.test(trimmed) ? Buffer.from(trimmed, 'base64') : null
}

/**
 * PHONE_ENCRYPTION_KEY and PHONE_ENCRYPTION_KEYS (comma-separated old keys); null when neither is
 * set, outside production: the store then keeps a key of its own under DATA_DIR. Never echoed.
 */
export function readPhoneKeys(read: EnvReader, production: boolean): PhoneKeys | null {
  const currentText = read.raw('PHONE_ENCRYPTION_KEY')
  const previousText = read.raw('PHONE_ENCRYPTION_KEYS')
  if (currentText === undefined) {
    if (production) {
      read.problem(
        `NODE_ENV=production needs PHONE_ENCRYPTION_KEY, ${KEY_HINT}, the same on every ` +
          'instance: phone numbers are encrypted with it at rest. Keep it apart from the database ' +
          'and its backups',
      )
    } else if (previousText !== undefined) {
      read.problem(
        'PHONE_ENCRYPTION_KEYS lists old keys: set the current one in PHONE_ENCRYPTION_KEY',
      )
    }
    return null
  }
  const current = parsePhoneKey(currentText)
  if (current === null) read.problem(`PHONE_ENCRYPTION_KEY must be ${KEY_HINT}`)
  const previous: Buffer[] = []
  for (const [i, text] of (previousText === undefined ? [] : previousText.split(',')).entries()) {
    const key = parsePhoneKey(text)
    // The position, never the value: it is a secret.
    if (key === null) read.problem(`PHONE_ENCRYPTION_KEYS: key ${i + 1} must be ${KEY_HINT}`)
    else previous.push(key)
  }
  if (current === null) return null
  // A key listed twice (the current one among the old, during a rotation) is harmless; two keys
  // of one id would make one of them unreadable.
  const byId = new Map<string, Buffer>()
  for (const key of [current, ...previous]) {
    const id = phoneKeyId(key)
    const known = byId.get(id)
    if (known !== undefined && !known.equals(key)) {
      read.problem(`two phone keys have the id ${id}: generate another one`)
    }
    byId.set(id, key)
  }
  return { current, previous: previous.filter((key) => !key.equals(current)) }
}
