import { randomBytes } from 'node:crypto'
import {
  checkWatermark,
  decryptOpenData,
  encryptOpenData,
  openEncryptedData,
  sealOpenData,
  signRawData,
  verifySignature,
  OpenDataError,
  type OpenDataFailure,
} from '../open-data'
import { OFFICIAL, SIGNED } from './support/official-vectors'

const KEY = randomBytes(16).toString('base64')
const policy = { appid: 'wx0000000000000000', nowS: 1_800_000_000, maxAgeS: 600 }

function errorOf(run: () => unknown): { reason: OpenDataFailure; message: string } {
  try {
    run()
  } catch (error) {
    if (error instanceof OpenDataError) return { reason: error.reason, message: error.message }
    throw error
  }
  throw new Error('expected an OpenDataError')
}

/** Ciphertext of arbitrary bytes, padded by hand so tests can break the padding on purpose. */
function rawEncrypt(plaintext: Buffer, key = KEY): { encryptedData: string; iv: string } {
  return sealOpenData(plaintext, key, { pad: false })
}

function pkcs7(text: string): Buffer {
  const bytes = Buffer.from(text)
  const n = 16 - (bytes.length % 16)
  return Buffer.concat([bytes, Buffer.alloc(n, n)])
}

describe('the official test vectors', () => {
  it('decrypts WeChat’s sample user info', () => {
    const data = decryptOpenData(OFFICIAL.sessionKey, OFFICIAL.encryptedData, OFFICIAL.iv)
    expect(data).toMatchObject({
      openId: OFFICIAL.openId,
      nickName: 'Band',
      unionId: OFFICIAL.unionId,
      watermark: { appid: OFFICIAL.appid, timestamp: OFFICIAL.timestamp },
    })
  })

  it('accepts its watermark for its appid at its time, and strips it', () => {
    const data = openEncryptedData(OFFICIAL.sessionKey, OFFICIAL, {
      appid: OFFICIAL.appid,
      nowS: OFFICIAL.timestamp + 60,
      maxAgeS: 600,
    })
    expect(data.openId).toBe(OFFICIAL.openId)
    expect(data).not.toHaveProperty('watermark')
  })

  it('checks the official rawData signature, in constant time', () => {
    expect(signRawData(SIGNED.rawData, SIGNED.sessionKey)).toBe(SIGNED.signature)
    expect(verifySignature(SIGNED.rawData, SIGNED.signature, SIGNED.sessionKey)).toBe(true)
    expect(verifySignature(SIGNED.rawData + ' ', SIGNED.signature, SIGNED.sessionKey)).toBe(false)
    expect(verifySignature(SIGNED.rawData, SIGNED.signature.slice(1), SIGNED.sessionKey)).toBe(
      false,
    )
    expect(verifySignature(SIGNED.rawData, SIGNED.signature, KEY)).toBe(false)
  })
})

describe('decryptOpenData', () => {
  it('round-trips what the emulator encrypts', () => {
    const payload = encryptOpenData({ phoneNumber: '13800138000' }, KEY)
    expect(decryptOpenData(KEY, payload.encryptedData, payload.iv)).toEqual({
      phoneNumber: '13800138000',
    })
  })

  it("names form decoding when a '+' has become a space", () => {
    const damaged = OFFICIAL.encryptedData.replaceAll('+', ' ')
    const error = errorOf(() => decryptOpenData(OFFICIAL.sessionKey, damaged, OFFICIAL.iv))
    expect(error.reason).toBe('malformed')
    expect(error.message).toMatch(/form or query-string decoding/)
  })

  // Each of these decodes with Buffer.from(…, 'base64'), most to the very bytes of the real iv.
  const urlSafe = Buffer.alloc(16, 0xfb)
    .toString('base64')
    .replaceAll('+', '-')
    .replaceAll('/', '_')
  it.each([
    ['characters outside base64', 'abc$'],
    ['a stray character', `${OFFICIAL.iv.slice(0, 8)}.${OFFICIAL.iv.slice(8)}`],
    ['the url-safe alphabet', urlSafe],
    ['missing padding', OFFICIAL.iv.slice(0, -2)],
    ['padding in the middle', `${OFFICIAL.iv.slice(0, 4)}==${OFFICIAL.iv.slice(4)}`],
    ['non-canonical trailing bits', 'r7BXXKkLb8qrSNn05n0qiB=='],
    ['a line break', `${OFFICIAL.iv.slice(0, 12)}\n${OFFICIAL.iv.slice(12)}`],
    ['a space inside', `${OFFICIAL.iv.slice(0, 12)} ${OFFICIAL.iv.slice(12)}`],
    ['leading and trailing whitespace', ` ${OFFICIAL.iv}\t`],
  ])('refuses an iv with %s as malformed', (_case, iv) => {
    const error = errorOf(() => decryptOpenData(OFFICIAL.sessionKey, OFFICIAL.encryptedData, iv))
    expect(error).toEqual({ reason: 'malformed', message: 'iv is not strict base64' })
  })

  it.each([
    ['the url-safe alphabet', (s: string) => s.replaceAll('+', '-').replaceAll('/', '_')],
    ['a line break every 76 characters (MIME)', (s: string) => s.replace(/.{76}/g, '$&\r\n')],
    ['its padding dropped', (s: string) => s.replace(/=+$/, '')],
  ])('refuses encryptedData in %s as malformed', (_case, damage) => {
    const encryptedData = damage(OFFICIAL.encryptedData)
    expect(encryptedData).not.toBe(OFFICIAL.encryptedData)
    const error = errorOf(() => decryptOpenData(OFFICIAL.sessionKey, encryptedData, OFFICIAL.iv))
    expect(error).toEqual({
      reason: 'malformed',
      message: 'encryptedData is not strict base64',
    })
  })

  it('still decrypts after a plaintext that ends inside a UTF-8 sequence', () => {
    // '{"a":"' and the first two of the three bytes of 一: the one shared decoder keeps nothing.
    const truncated = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe4, 0xb8])])
    const notUtf8 = rawEncrypt(Buffer.concat([truncated, Buffer.alloc(8, 8)]))
    expect(errorOf(() => decryptOpenData(KEY, notUtf8.encryptedData, notUtf8.iv)).reason).toBe(
      'undecryptable',
    )
    const payload = encryptOpenData({ phoneNumber: '13800138000' }, KEY)
    expect(decryptOpenData(KEY, payload.encryptedData, payload.iv)).toEqual({
      phoneNumber: '13800138000',
    })
  })

  it.each([
    ['empty', ''],
    ['15 bytes', randomBytes(15).toString('base64')],
    ['32 bytes', randomBytes(32).toString('base64')],
  ])('refuses an iv of %s', (_case, iv) => {
    const error = errorOf(() => decryptOpenData(OFFICIAL.sessionKey, OFFICIAL.encryptedData, iv))
    expect(error.reason).toBe('malformed')
    expect(error.message).toMatch(/^iv must decode to 16 bytes/)
  })

  it.each([
    ['empty', ''],
    ['not a multiple of 16', randomBytes(40).toString('base64')],
  ])('refuses ciphertext that is %s', (_case, encryptedData) => {
    const error = errorOf(() => decryptOpenData(KEY, encryptedData, OFFICIAL.iv))
    expect(error.reason).toBe('malformed')
    expect(error.message).toMatch(/non-empty multiple of 16/)
  })

  it('calls data encrypted with another session_key stale, whatever the garbage', () => {
    for (let i = 0; i < 300; i++) {
      const payload = encryptOpenData({ phoneNumber: '13800138000' }, KEY)
      const error = errorOf(() =>
        decryptOpenData(randomBytes(16).toString('base64'), payload.encryptedData, payload.iv),
      )
      expect(error.reason).toBe('undecryptable')
    }
  })

  it('checks every pad byte, not only the last', () => {
    const padded = pkcs7('{"a":1}')
    padded[padded.length - 2] = 0
    const payload = rawEncrypt(padded)
    const error = errorOf(() => decryptOpenData(KEY, payload.encryptedData, payload.iv))
    expect(error.reason).toBe('undecryptable')
    expect(error.message).toMatch(/bad padding/)
  })

  it.each([
    ['a pad byte of 0', Buffer.concat([Buffer.from('{"a":1}'), Buffer.alloc(9, 0)])],
    ['a pad byte over 16', Buffer.concat([Buffer.from('{"a":1}'), Buffer.alloc(9, 17)])],
  ])('refuses %s', (_case, padded) => {
    const payload = rawEncrypt(padded)
    expect(errorOf(() => decryptOpenData(KEY, payload.encryptedData, payload.iv)).reason).toBe(
      'undecryptable',
    )
  })

  it.each([
    ['not UTF-8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.alloc(14, 14)])],
    ['not JSON', pkcs7('phoneNumber=1')],
    ['a JSON array', pkcs7('[1,2]')],
    ['a JSON string', pkcs7('"text"')],
    ['JSON null', pkcs7('null')],
  ])('calls a plaintext that is %s stale', (_case, plaintext) => {
    const payload = rawEncrypt(plaintext)
    expect(errorOf(() => decryptOpenData(KEY, payload.encryptedData, payload.iv)).reason).toBe(
      'undecryptable',
    )
  })

  it('calls a stored session_key that is no 16-byte key stale', () => {
    const error = errorOf(() =>
      decryptOpenData(randomBytes(24).toString('base64'), OFFICIAL.encryptedData, OFFICIAL.iv),
    )
    expect(error.reason).toBe('undecryptable')
  })

  it('never puts the key or the plaintext in a message', () => {
    const payload = encryptOpenData({ secretish: 'plaintext-marker' }, KEY)
    const messages = [
      errorOf(() => decryptOpenData(KEY, payload.encryptedData, 'bad iv')).message,
      errorOf(() =>
        decryptOpenData(randomBytes(16).toString('base64'), payload.encryptedData, payload.iv),
      ).message,
      errorOf(() => openEncryptedData(KEY, payload, policy)).message,
    ]
    for (const message of messages) {
      expect(message).not.toContain(KEY)
      expect(message).not.toContain('plaintext-marker')
    }
  })
})

describe('checkWatermark', () => {
  const data = (watermark: unknown) => ({ phoneNumber: '1', watermark })

  it('passes data of this appid within the allowed age, either side of the server clock', () => {
    for (const offset of [-600, 0, 600]) {
      const checked = checkWatermark(
        data({ appid: policy.appid, timestamp: policy.nowS + offset }),
        policy,
      )
      expect(checked).toEqual({ phoneNumber: '1' })
    }
  })

  it.each([
    ['no watermark', undefined],
    ['a watermark that is not an object', 'wx0000000000000000'],
    ['another appid', { appid: OFFICIAL.appid, timestamp: policy.nowS }],
    ['a timestamp too old', { appid: policy.appid, timestamp: policy.nowS - 601 }],
    ['a timestamp too far ahead', { appid: policy.appid, timestamp: policy.nowS + 601 }],
    ['a timestamp that is not a number', { appid: policy.appid, timestamp: String(policy.nowS) }],
  ])('refuses %s as a watermark failure', (_case, watermark) => {
    expect(errorOf(() => checkWatermark(data(watermark), policy)).reason).toBe('watermark')
  })

  it('skips the age when WATERMARK_MAX_AGE_S is 0, but never the appid', () => {
    const off = { ...policy, maxAgeS: 0 }
    expect(checkWatermark(data({ appid: policy.appid, timestamp: 1 }), off)).toEqual({
      phoneNumber: '1',
    })
    expect(errorOf(() => checkWatermark(data({ appid: 'wx1', timestamp: 1 }), off)).reason).toBe(
      'watermark',
    )
  })

  it('refuses the official vector for another appid', () => {
    const error = errorOf(() =>
      openEncryptedData(OFFICIAL.sessionKey, OFFICIAL, { ...policy, maxAgeS: 0 }),
    )
    expect(error.reason).toBe('watermark')
  })
})
