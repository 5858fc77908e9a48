import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'

// WeChat's open data (encryptedData/iv, rawData/signature), both sides: the server decrypts what
// the emulator and the conformance kit encrypt. Every failure keeps its own reason, for the
// server's log; what a client is told never depends on it (server/src/http/errors.ts), or its
// answers would be a padding oracle.

/**
 * Why open data was refused: `malformed`, the request damaged it (base64, lengths);
 * `undecryptable`, it does not decrypt with this session_key; `watermark`, it is someone else's
 * or too old; `content`, it decrypted to a JSON object that is not the data expected.
 */
export type OpenDataFailure = 'malformed' | 'undecryptable' | 'watermark' | 'content'

export class OpenDataError extends Error {
  constructor(
    readonly reason: OpenDataFailure,
    message: string,
  ) {
    super(message)
    this.name = 'OpenDataError'
  }
}

const BLOCK = 16
// Fatal: bytes that are not UTF-8 throw rather than become U+FFFD. One decoder for every call,
// as decode() keeps no state between calls that are not streamed.
const UTF8 = new TextDecoder('utf-8', { fatal: true })

export type OpenData = Record<string, unknown>

export interface WatermarkPolicy {
  appid: string
  nowS: number
  /** 0: the timestamp is not checked. */
  maxAgeS: number
}

/**
 * Buffer.from(s, 'base64') skips characters it does not know, takes the url-safe alphabet and
 * missing padding, so a damaged value would only fail later, as a misleading decryption error.
 * Only canonical base64 encodes back to the very same string: that one comparison refuses all of
 * these, stray characters, whitespace and non-zero trailing bits included.
 */
function strictBase64(value: string): Buffer | null {
  const bytes = Buffer.from(value, 'base64')
  return bytes.toString('base64') === value ? bytes : null
}

function requestBase64(value: string, field: string): Buffer {
  const bytes = strictBase64(value)
  if (bytes) return bytes
  if (value.includes(' ') && strictBase64(value.replaceAll(' ', '+'))) {
    throw new OpenDataError(
      'malformed',
      `${field} is not strict base64: it has spaces where base64 has '+', the mark of form ` +
        `or query-string decoding; send it untouched in a JSON body`,
    )
  }
  throw new OpenDataError('malformed', `${field} is not strict base64`)
}

/**
 * Strict PKCS#7, every pad byte checked, and all of the last block read whatever it holds: where
 * the padding goes wrong, or whether it does, changes nothing in the work done.
 */
function unpad(padded: Buffer): { plaintext: Buffer; valid: boolean } {
  const n = padded[padded.length - 1] ?? 0
  // Non-zero when n is 0 or over BLOCK.
  let wrong = ((n - 1) >>> 31) | ((BLOCK - n) >>> 31)
  for (let i = 1; i <= BLOCK; i++) {
    const inPad = (i - n - 1) >>> 31
    const differs = (((padded[padded.length - i] ?? 0) ^ n) + 0xff) >>> 8
    wrong |= inPad & differs
  }
  const valid = wrong === 0
  return { plaintext: padded.subarray(0, padded.length - (valid ? n : 0)), valid }
}

/** The plaintext as a JSON object, or null: never throws, so every plaintext takes this path. */
function parseObject(plaintext: Buffer): OpenData | null {
  try {
    const value: unknown = JSON.parse(UTF8.decode(plaintext))
    return isObject(value) ? value : null
  } catch {
    return null
  }
}

function stale(why: string): OpenDataError {
  return new OpenDataError(
    'undecryptable',
    `the data does not decrypt with the session_key the server holds (${why}): ` +
      'log in again, then ask the user to tap again',
  )
}

function isObject(value: unknown): value is OpenData {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A session_key as WeChat hands it over: 16 bytes, in strict base64. */
export function isSessionKey(value: string): boolean {
  return strictBase64(value)?.length === BLOCK
}

export function decryptOpenData(sessionKey: string, encryptedData: string, iv: string): OpenData {
  const key = strictBase64(sessionKey)
  if (!key || key.length !== BLOCK) throw stale('it is not a 16-byte key')
  const ivBytes = requestBase64(iv, 'iv')
  if (ivBytes.length !== BLOCK) {
    throw new OpenDataError('malformed', `iv must decode to 16 bytes, not ${ivBytes.length}`)
  }
  const ciphertext = requestBase64(encryptedData, 'encryptedData')
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) {
    throw new OpenDataError(
      'malformed',
      `encryptedData must decode to a non-empty multiple of 16 bytes, not ${ciphertext.length}`,
    )
  }
  const decipher = createDecipheriv('aes-128-cbc', key, ivBytes).setAutoPadding(false)
  const { plaintext, valid } = unpad(Buffer.concat([decipher.update(ciphertext), decipher.final()]))
  // Parsed whatever the padding said: a bad pad and a bad plaintext take the same steps. A wrong
  // key still yields valid padding about once in 256 tries: the garbage is then caught as not
  // UTF-8, not JSON or not an object, and means the same thing.
  const value = parseObject(plaintext)
  if (!valid) throw stale('bad padding')
  if (value === null) throw stale('the plaintext is not a JSON object')
  return value
}

/** Checks the watermark and returns the data without it. */
export function checkWatermark(data: OpenData, policy: WatermarkPolicy): OpenData {
  const { watermark, ...rest } = data
  if (!isObject(watermark)) throw new OpenDataError('watermark', 'the data has no watermark')
  if (watermark.appid !== policy.appid) {
    throw new OpenDataError('watermark', 'the data belongs to another appid')
  }
  if (policy.maxAgeS > 0) {
    const { timestamp } = watermark
    if (typeof timestamp !== 'number' || Math.abs(policy.nowS - timestamp) > policy.maxAgeS) {
      throw new OpenDataError(
        'watermark',
        `the data's watermark.timestamp is more than ${policy.maxAgeS} s away from the server clock`,
      )
    }
  }
  return rest
}

export function openEncryptedData(
  sessionKey: string,
  payload: { encryptedData: string; iv: string },
  policy: WatermarkPolicy,
): OpenData {
  return checkWatermark(decryptOpenData(sessionKey, payload.encryptedData, payload.iv), policy)
}

/**
 * WeChat's side of decryptOpenData: `plaintext` sealed with the session_key as WeChat seals what
 * it hands the client. `pad: false` leaves the padding to the caller, who means to break it.
 */
export function sealOpenData(
  plaintext: Buffer,
  sessionKey: string,
  options: { pad?: boolean } = {},
): { encryptedData: string; iv: string } {
  const iv = randomBytes(BLOCK)
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv)
  cipher.setAutoPadding(options.pad ?? true)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { encryptedData: ciphertext.toString('base64'), iv: iv.toString('base64') }
}

/** What WeChat does to the data it hands the client (the emulator's side). */
export function encryptOpenData(
  data: OpenData,
  sessionKey: string,
): { encryptedData: string; iv: string } {
  return sealOpenData(Buffer.from(JSON.stringify(data), 'utf8'), sessionKey)
}

export function signRawData(rawData: string, sessionKey: string): string {
  return createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest('hex')
}

export function verifySignature(rawData: string, signature: string, sessionKey: string): boolean {
  return safeEqual(signature.toLowerCase(), signRawData(rawData, sessionKey))
}

/**
 * Whether two secrets are equal, in a time that tells nothing about where they differ: both are
 * hashed first, so that strings of different lengths compare in the same time too.
 */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(expected))
}
