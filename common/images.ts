import { crc32, deflateSync } from 'node:zlib'

// Real images, the smallest of each kind, built byte by byte: what the conformance kit uploads as
// avatars (a backend may decode them), and the tests too.

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A valid RGB PNG; `padding` bytes of an ancillary chunk make it as large as a test needs. */
export function png(width = 2, height = 2, padding = 0): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)])
  const pixels = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(padding > 0 ? [pngChunk('teXt', Buffer.alloc(padding, 0x61))] : []),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

function jpegSegment(marker: number, data: number[]): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0])
  header.writeUInt16BE(data.length + 2, 2)
  return Buffer.concat([header, Buffer.from(data)])
}

/**
 * A valid baseline JPEG: one 8x8 block of mid grey. Every coefficient is zero, so the scan is a
 * one-bit DC code and a one-bit end-of-block code, padded with ones.
 */
export function jpeg(): Buffer {
  const oneCodeTable = (tableClass: number) => [tableClass, 1, ...Array<number>(15).fill(0), 0]
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    jpegSegment(0xe0, [...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    jpegSegment(0xdb, [0, ...Array<number>(64).fill(1)]),
    jpegSegment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    jpegSegment(0xc4, oneCodeTable(0x00)),
    jpegSegment(0xc4, oneCodeTable(0x10)),
    jpegSegment(0xda, [1, 1, 0x00, 0, 63, 0]),
    Buffer.from([0x3f, 0xff, 0xd9]),
  ])
}

/** The RIFF/WEBP header of a lossless WebP, with a chunk of filler after it. */
export function webpHeader(): Buffer {
  const body = Buffer.concat([Buffer.from('WEBPVP8L', 'latin1'), Buffer.alloc(4), Buffer.alloc(16)])
  body.writeUInt32LE(16, 8)
  const size = Buffer.alloc(4)
  size.writeUInt32LE(body.length)
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body])
}

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
