import { randomBytes } from 'node:crypto'
import { jpeg, png } from '../server/test/support/images'

// Real images, the smallest of each kind, for the avatar checks: a backend may decode them.

export { jpeg, png }

/** A 1×1 lossless WebP. */
export const webp = (): Buffer =>
  Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64')

/** A 1×1 GIF: an image, but not one of the three kinds the contract takes. */
export const gif = (): Buffer =>
  Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

/** A PNG of exactly `bytes` bytes (an ancillary chunk pads it). */
export function pngOfSize(bytes: number): Buffer {
  // A padding chunk costs 12 bytes besides its data: length, type and CRC.
  const padded = png(2, 2, bytes - png().length - 12)
  if (padded.length !== bytes) throw new Error(`cannot make a PNG of ${bytes} bytes`)
  return padded
}

export interface FilePart {
  field: string
  filename: string
  contentType: string
  data: Buffer
}

/** A multipart/form-data body, as wx.uploadFile sends one. */
export function multipart(parts: FilePart[]): { body: Buffer; contentType: string } {
  const boundary = `----weapp-login-kit-${randomBytes(8).toString('hex')}`
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${boundary}\r\n` +
        `Content-Disposition: form-data; name="${part.field}"; filename="${part.filename}"\r\n` +
        `Content-Type: ${part.contentType}\r\n\r\n`,
    ),
    part.data,
    Buffer.from('\r\n'),
  ])
  return {
    body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}
