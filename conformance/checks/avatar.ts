import { randomBytes } from 'node:crypto'
import { API_PATHS, AVATAR_FIELDS, AVATAR_MAX_BYTES } from '../contract'
import { summarize, expectError, expectFields, expectJson, expectUser, fail } from '../expect'
import { gif, jpeg, png, pngOfSize, webp } from '../../common/images'
import { multipart, type FilePart } from '../multipart'
import type { Check, Group, Kit } from '../kit'

const AVATAR = 'docs/api.md › POST /api/me/avatar'
const LIMIT = `${AVATAR_MAX_BYTES / 1024 / 1024} MiB`

function upload(kit: Kit, token: string, parts: FilePart[]) {
  const form = multipart(parts)
  return kit.request('POST', API_PATHS.avatar, {
    token,
    body: form.body,
    headers: { 'content-type': form.contentType },
  })
}

const avatar = (data: Buffer, filename: string, contentType: string): FilePart => ({
  field: 'avatar',
  filename,
  contentType,
  data,
})

/** 200 {avatarUrl, user}; the URL is absolute and serves these bytes as `type`; GET /api/me agrees. */
async function expectSaved(kit: Kit, part: FilePart, type: string): Promise<void> {
  const { token } = await kit.signIn()
  const what = `POST /api/me/avatar with ${part.filename} (${part.data.length} bytes)`
  const answer = expectFields(
    expectJson(await upload(kit, token, [part]), what),
    AVATAR_FIELDS,
    `${what}: the answer`,
  )
  const url = answer.avatarUrl
  if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
    fail(`${what}: avatarUrl ${JSON.stringify(url)} is not an absolute http(s) URL`)
  }
  expectUser(answer.user, `${what}: user`, { avatarUrl: url })
  await kit.me(token, { avatarUrl: url })
  const served = await kit.backend.get(url)
  if (served.status !== 200) fail(`GET ${url}: expected 200, got ${summarize(served)}`)
  const servedType = String(served.headers['content-type'] ?? '')
  if (!servedType.startsWith(type)) fail(`GET ${url}: Content-Type "${servedType}", not ${type}`)
  if (!served.body.equals(part.data)) {
    fail(`GET ${url}: ${served.body.length} bytes, not the ${part.data.length} bytes uploaded`)
  }
}

const CONTENT = `${AVATAR}: "PNG, JPEG or WebP, recognised by content (not by file name), at most ${LIMIT}. 200 { avatarUrl: string, user: User }"; › Types: avatarUrl "absolute URL"; › GET /avatars/:file: "The uploaded image, with its content type"`

const kinds: Check[] = [
  ['a PNG', avatar(png(), 'a.png', 'image/png'), 'image/png'] as const,
  ['a JPEG', avatar(jpeg(), 'a.jpg', 'image/jpeg'), 'image/jpeg'] as const,
  ['a WebP', avatar(webp(), 'a.webp', 'image/webp'), 'image/webp'] as const,
].map(([name, part, type]) => ({
  name: `${name} → 200 {avatarUrl, user}: an absolute URL that serves the same bytes as ${type}`,
  clause: CONTENT,
  run: (kit) => expectSaved(kit, part, type),
}))

const byContent: Check = {
  name: 'judged by content, not name: a PNG named a.txt, sent as text/plain → 200, served as image/png',
  clause: CONTENT,
  run: (kit) => expectSaved(kit, avatar(png(), 'a.txt', 'text/plain'), 'image/png'),
}

const limit: Check = {
  name: `an avatar of exactly ${LIMIT} → 200; one byte more → 413 PAYLOAD_TOO_LARGE, nothing saved`,
  clause: `${AVATAR}: "at most ${LIMIT}", errors "413 PAYLOAD_TOO_LARGE"`,
  async run(kit) {
    await expectSaved(kit, avatar(pngOfSize(AVATAR_MAX_BYTES), 'big.png', 'image/png'), 'image/png')
    const { token } = await kit.signIn()
    expectError(
      await upload(kit, token, [avatar(pngOfSize(AVATAR_MAX_BYTES + 1), 'big.png', 'image/png')]),
      'PAYLOAD_TOO_LARGE',
      `POST /api/me/avatar with a PNG of ${AVATAR_MAX_BYTES + 1} bytes`,
    )
    await kit.me(token, { avatarUrl: null })
  },
}

const notImage: Check = {
  name: 'not an image by content (text named a.png, a GIF) → 415 UNSUPPORTED_MEDIA_TYPE, nothing saved',
  clause: `${AVATAR}: errors "415 UNSUPPORTED_MEDIA_TYPE (… not an image by content)"; "PNG, JPEG or WebP"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const parts = [
      avatar(Buffer.from('not an image, whatever the name says\n'), 'a.png', 'image/png'),
      avatar(gif(), 'a.gif', 'image/gif'),
    ]
    for (const part of parts) {
      expectError(
        await upload(kit, token, [part]),
        'UNSUPPORTED_MEDIA_TYPE',
        `POST /api/me/avatar with ${part.filename} (${part.contentType})`,
      )
    }
    await kit.me(token, { avatarUrl: null })
  },
}

const notMultipart: Check = {
  name: 'not multipart (a JSON body, the raw image bytes) → 415 UNSUPPORTED_MEDIA_TYPE',
  clause: `${AVATAR}: "multipart/form-data with one file field named avatar", errors "415 UNSUPPORTED_MEDIA_TYPE (not multipart …)"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const attempts: [string, Buffer, string][] = [
      [
        'a JSON body',
        Buffer.from(JSON.stringify({ avatar: png().toString('base64') })),
        'application/json',
      ],
      ['the raw PNG bytes', png(), 'image/png'],
    ]
    for (const [what, body, type] of attempts) {
      expectError(
        await kit.request('POST', API_PATHS.avatar, {
          token,
          body,
          headers: { 'content-type': type },
        }),
        'UNSUPPORTED_MEDIA_TYPE',
        `POST /api/me/avatar with ${what}`,
      )
    }
  },
}

const noField: Check = {
  name: "no file field named 'avatar' (a field named 'file') → 400 INVALID_REQUEST",
  clause: `${AVATAR}: "one file field named avatar (what wx.uploadFile({ name: 'avatar' }) sends)", errors "400 INVALID_REQUEST (no file field …)"`,
  async run(kit) {
    const { token } = await kit.signIn()
    expectError(
      await upload(kit, token, [{ ...avatar(png(), 'a.png', 'image/png'), field: 'file' }]),
      'INVALID_REQUEST',
      "POST /api/me/avatar with the image in a field named 'file'",
    )
    await kit.me(token, { avatarUrl: null })
  },
}

const unknownFile: Check = {
  name: 'an avatar file that does not exist → 404 NOT_FOUND',
  clause: 'docs/api.md › Error codes: 404 NOT_FOUND "no such route or file"; › GET /avatars/:file',
  async run(kit) {
    const name = `${randomBytes(16).toString('base64url')}.png`
    expectError(await kit.request('GET', `/avatars/${name}`), 'NOT_FOUND', `GET /avatars/${name}`)
  },
}

export const avatarGroup: Group = {
  title: 'avatar: POST /api/me/avatar, GET /avatars/:file',
  checks: [...kinds, byContent, limit, notImage, notMultipart, noField, unknownFile],
}
