import { randomBytes } from 'node:crypto'

// What wx.uploadFile sends, for the avatar checks.

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
