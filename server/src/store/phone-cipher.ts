import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  KEY_HINT,
  KEY_ID_LENGTH,
  parsePhoneKey,
  PHONE_KEY_BYTES,
  phoneKeyId,
  type PhoneKeys,
} from '../config/phone-keys'

/** Where a development server keeps the key it generated, beside the SQLite file. */
export const DEVELOPMENT_KEY_FILE = 'phone-encryption.key'

const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16

/** A stored value this process cannot read: its key is not among the configured ones, or it was altered. */
export class PhoneKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PhoneKeyError'
  }
}

/**
 * Phone numbers at rest: AES-256-GCM under the current key, a fresh IV each time, the user's id as
 * additional data (a value moved to another user's row does not decrypt), stored as
 * `<key id>:<base64url of IV, tag and ciphertext>`. Any configured key decrypts.
 */
export class PhoneCipher {
  readonly currentId: string
  private readonly keys = new Map<string, Buffer>()

  constructor(keys: PhoneKeys) {
    this.currentId = phoneKeyId(keys.current)
    for (const key of [keys.current, ...keys.previous]) this.keys.set(phoneKeyId(key), key)
  }

  encrypt(phoneNumber: string, userId: string): string {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv(ALGORITHM, this.key(this.currentId), iv)
    cipher.setAAD(Buffer.from(userId, 'utf8'))
    const sealed = Buffer.concat([cipher.update(phoneNumber, 'utf8'), cipher.final()])
    const packed = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
    return `${this.currentId}:${packed}`
  }

  /** The number in `stored`; a PhoneKeyError when its key is missing or it does not decrypt. */
  decrypt(stored: string, userId: string): string {
    const id = stored.slice(0, KEY_ID_LENGTH)
    const key = this.key(id)
    // Everything read from the value is checked here: a damaged one is a PhoneKeyError too.
    try {
      const packed = Buffer.from(stored.slice(KEY_ID_LENGTH + 1), 'base64url')
      const decipher = createDecipheriv(ALGORITHM, key, packed.subarray(0, IV_BYTES))
      decipher.setAAD(Buffer.from(userId, 'utf8'))
      decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([
        decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8')
    } catch {
      throw new PhoneKeyError(`a phone number under key ${id} does not decrypt: it was altered`)
    }
  }

  /** Whether this process holds the key of that id. */
  holds(id: string): boolean {
    return this.keys.has(id)
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id)
    if (key === undefined) {
      throw new PhoneKeyError(
        `a phone number is encrypted with key ${id}, which neither PHONE_ENCRYPTION_KEY nor ` +
          'PHONE_ENCRYPTION_KEYS holds',
      )
    }
    return key
  }
}

/**
 * A development server's own key, generated once and kept in `dataDir` (mode 600): phone numbers
 * are encrypted there too, with nothing to configure. Production sets PHONE_ENCRYPTION_KEY.
 */
export function developmentKeys(dataDir: string): PhoneKeys {
  const file = join(dataDir, DEVELOPMENT_KEY_FILE)
  mkdirSync(dataDir, { recursive: true })
  try {
    // 'wx': of two processes starting at once, one writes and the other reads what it wrote.
    writeFileSync(file, `${randomBytes(PHONE_KEY_BYTES).toString('base64')}\n`, {
      flag: 'wx',
      mode: 0o600,
    })
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error
  }
  const key = parsePhoneKey(readFileSync(file, 'utf8'))
  if (key === null) {
    throw new Error(
      `${file} does not hold a key (${KEY_HINT}): the phone numbers it encrypted cannot be read without it`,
    )
  }
  return { current: key, previous: [] }
}
