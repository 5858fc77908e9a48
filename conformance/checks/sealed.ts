// Payloads sealed with a user's session_key, the kit playing WeChat: every way one can fail to
// open, and the check that a backend answers all of them alike, as docs/api.md requires. A
// backend that tells them apart (a bad padding from a plaintext that is not JSON, by status, code
// or message) is a padding oracle: with their own token, a user can make it seal a phone number
// of their choosing, one request at a time.
import { isDeepStrictEqual } from 'node:util'
import { sealOpenData } from '../../common/open-data'
import { expectError, fail, summarize } from '../expect'
import type { Answer } from '../http'
import type { Check, Kit } from '../kit'

interface Sealed {
  encryptedData: string
  iv: string
}

/** What the kit seals with the user's key: valid JSON, with the watermark of `appid` now. */
function sealJson(data: object, sessionKey: string, appid: string): Sealed {
  const watermark = { appid, timestamp: Math.floor(Date.now() / 1000) }
  return sealOpenData(Buffer.from(JSON.stringify({ ...data, watermark })), sessionKey)
}

/** A payload WeChat minted for the user, whose encryptedData holds a '+' to damage. */
async function withPlus(mint: () => Promise<Sealed>): Promise<Sealed> {
  for (let tries = 0; tries < 32; tries++) {
    const payload = await mint()
    if (payload.encryptedData.includes('+')) return payload
  }
  fail("the emulator's payloads never held a '+' in 32 tries")
}

type Failure = [what: string, make: (sessionKey: string, appid: string) => Promise<Sealed> | Sealed]

/**
 * Every way a payload fails to open: damaged on the way (base64, lengths), undecryptable (its
 * padding, a key the backend does not hold), or opened to the wrong thing (not UTF-8, not JSON,
 * not an object, fields missing, another app's watermark). `mint` is a good payload of the route.
 */
function failures(mintAny: () => Promise<Sealed>, fields: object): Failure[] {
  // Only the sealed part of what WeChat mints (a phone code, rawData and its signature stay out).
  const mint = async (): Promise<Sealed> => {
    const { encryptedData, iv } = await mintAny()
    return { encryptedData, iv }
  }
  const pad = (text: string, byte: number, count: number) =>
    Buffer.concat([Buffer.from(text), Buffer.alloc(count, byte)])
  return [
    [
      "its '+' turned into spaces (form decoding)",
      async () => {
        const { encryptedData, iv } = await withPlus(mint)
        return { encryptedData: encryptedData.replaceAll('+', ' '), iv }
      },
    ],
    [
      'a stray * in its base64',
      async () => ({ ...(await mint()), encryptedData: `*${(await mint()).encryptedData}` }),
    ],
    [
      'an iv of 12 bytes',
      async () => ({ encryptedData: (await mint()).encryptedData, iv: 'AAAAAAAAAAAAAAAA' }),
    ],
    [
      'ciphertext of 40 bytes',
      async () => ({
        encryptedData: Buffer.alloc(40, 1).toString('base64'),
        iv: (await mint()).iv,
      }),
    ],
    ['a bad padding', (key) => sealOpenData(pad('{"a":1}', 7, 9), key, { pad: false })],
    ['a plaintext that is not UTF-8', (key) => sealOpenData(Buffer.from([0xff, 0xfe, 0xfd]), key)],
    ['a plaintext that is not JSON', (key) => sealOpenData(Buffer.from('a=1&b=2'), key)],
    ['a JSON array', (key) => sealOpenData(Buffer.from('[1,2]'), key)],
    ['no fields but the watermark', (key, appid) => sealJson({}, key, appid)],
    ["another app's watermark", (key) => sealJson(fields, key, 'wx0123456789abcdef')],
  ]
}

// How many failures one user of the kit meets at most: a backend may budget them per user
// (the reference server allows 10 an hour), so the failures are spread over several users.
const PER_USER = 4

export interface SealedRoute {
  route: 'POST /api/auth/phone' | 'POST /api/auth/userinfo'
  /** A good payload for the user, as WeChat would mint it (what else it holds is left out). */
  mint(kit: Kit, openid: string): Promise<Sealed>
  /** A payload's body, as the route takes it (user info: with a good rawData and signature). */
  body(kit: Kit, openid: string, sealed: Sealed): Promise<unknown>
  /** What the route's good payload holds, for a payload of another app. */
  fields: object
}

const CLAUSE = `docs/api.md › Error codes: 409 SESSION_KEY_STALE "Every way a payload fails to open gets this one answer, word for word"`

export function uniformFailures(options: SealedRoute & { name: string }): Check {
  const { route, name } = options
  const clause = CLAUSE
  const [method = 'POST', path = '/'] = route.split(' ')
  return {
    name,
    clause,
    async run(kit) {
      const answers: [string, Answer][] = []
      let session = await kit.signIn()
      let key = await kit.emulator.sessionKeyOf(session.openid)
      const { appid } = await kit.emulator.info()
      const all = failures(() => options.mint(kit, session.openid), options.fields)
      for (const [index, [what, make]] of all.entries()) {
        if (index > 0 && index % PER_USER === 0) {
          session = await kit.signIn()
          key = await kit.emulator.sessionKeyOf(session.openid)
        }
        const body = await options.body(kit, session.openid, await make(key, appid))
        answers.push([what, await kit.request(method, path, { token: session.token, json: body })])
      }
      const [firstWhat, first] = answers[0] ?? fail('no failure was sent')
      for (const [what, answer] of answers.slice(1)) {
        if (answer.status !== first.status || !isDeepStrictEqual(answer.json, first.json)) {
          fail(
            `${route} tells failures apart: with ${firstWhat} it answered ${summarize(first)} ` +
              `${JSON.stringify(first.text)}, with ${what} ${summarize(answer)} ${JSON.stringify(answer.text)}`,
          )
        }
      }
      expectError(first, 'SESSION_KEY_STALE', `${route} with ${firstWhat}, and every other failure`)
    },
  }
}

/**
 * rawData and its signature as WeChat makes them, beside a payload the kit sealed itself: the
 * signature covers rawData alone, so a user holds a good one for any encryptedData.
 */
export async function signedUserInfo(kit: Kit, openid: string, sealed: Sealed): Promise<object> {
  const { rawData, signature } = await kit.emulator.mintUserInfo(openid)
  return { ...sealed, rawData, signature }
}
