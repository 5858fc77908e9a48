import { fail, shapeProblem, where } from '../expect'
import type { Answer } from '../http'
import type { Check, Group, Kit } from '../kit'

// Checks over every answer the backend gave during the run, whichever check asked: they run last.

const SHOWN = 3

function failWith(count: number, total: number, what: string, examples: string[]): never {
  const more = count > SHOWN ? `; and ${count - SHOWN} more` : ''
  fail(`${count} of ${total} answers ${what}: ${examples.slice(0, SHOWN).join('; ')}${more}`)
}

function stringsIn(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value)
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key)
      stringsIn(item, into)
    }
  }
}

/**
 * All an answer says, as text: its body (but an image's), the strings of its JSON decoded (a PHP
 * backend writes '/' as '\/'), and its headers, percent-decoded too (a cookie, a Location).
 */
function textsOf(answer: Answer): { text: string; place: string }[] {
  const image = /^image\//i.test(String(answer.headers['content-type'] ?? ''))
  const body: string[] = image ? [] : [answer.text]
  stringsIn(answer.json, body)
  const texts = body.map((text) => ({ text, place: 'body' }))
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const text of [value ?? ''].flat()) {
      const decoded = (() => {
        try {
          return decodeURIComponent(text)
        } catch {
          return text
        }
      })()
      texts.push({ text: `${name}: ${text} ${decoded}`, place: `header ${name}` })
    }
  }
  return texts
}

/** The spellings a leaked session_key could take: as WeChat gave it, base64url, hex. */
function spellingsOfKey(sessionKey: string): string[] {
  const bytes = Buffer.from(sessionKey, 'base64')
  const hex = bytes.toString('hex')
  return [
    sessionKey,
    bytes.toString('base64url'),
    hex,
    hex.toUpperCase(),
    encodeURIComponent(sessionKey),
  ]
}

function findLeaks(kit: Kit, needles: (answer: Answer) => string[], what: string): void {
  const leaks: string[] = []
  for (const answer of kit.answers) {
    const places = new Set<string>()
    const sought = needles(answer)
    for (const { text, place } of textsOf(answer)) {
      if (sought.some((needle) => text.includes(needle))) places.add(place)
    }
    if (places.size > 0) leaks.push(`${where(answer)}, in its ${[...places].join(', ')}`)
  }
  if (leaks.length > 0) failWith(leaks.length, kit.answers.length, `held ${what}`, leaks)
}

const shape: Check = {
  name: "every error answer of the run was in the contract's shape, its code at its status",
  clause:
    'docs/api.md › Conventions: "Every error has this shape, and only this shape: { "error": { "code", "message" } }"; › Error codes: each code with its HTTP status',
  async run(kit) {
    const errors = kit.answers.filter((answer) => answer.status >= 400)
    const wrong = errors.flatMap((answer) => {
      const problem = shapeProblem(answer)
      return problem ? [`${where(answer)}: ${problem}`] : []
    })
    if (wrong.length > 0) failWith(wrong.length, errors.length, 'were not in the shape', wrong)
  },
}

const no5xx: Check = {
  name: 'no 5xx in the whole run, except where WeChat was made to fail',
  clause:
    'docs/api.md › Error codes: 500 INTERNAL_ERROR "a bug; the server never answers 500 to bad input"; 502 and 503 are for WeChat\'s failures',
  async run(kit) {
    const wrong = kit.answers.filter(
      (answer) =>
        answer.status >= 500 && !(answer.check !== null && kit.wechatFaultChecks.has(answer.check)),
    )
    if (wrong.length > 0) failWith(wrong.length, kit.answers.length, 'were a 5xx', wrong.map(where))
  },
}

const noSessionKey: Check = {
  name: "no answer of the run held a user's session_key, in its body or its headers",
  clause:
    'docs/api.md › Conventions: "openid, unionid and session_key never appear in any response. The client never holds session_key"',
  async run(kit) {
    const keys = [...kit.emulator.secrets.sessionKeys]
    if (keys.length === 0) fail('the run handed out no session_key to look for')
    const spellings = keys.flatMap(spellingsOfKey)
    findLeaks(kit, () => spellings, 'a session_key')
  },
}

/** A data export, which holds its user's own unionid; the account checks hold it to that one. */
const isExport = (answer: Answer) =>
  /^GET \S*\/api\/me\/export$/.test(answer.request) && answer.status === 200

const noIds: Check = {
  name: "no answer of the run held a user's openid or unionid (but a data export its own unionid), in its body or its headers",
  clause:
    'docs/api.md › Conventions: "openid, unionid and session_key never appear in any response, but for the user\'s own unionid in their data export"; › Types: id "the app\'s own user id, never the openid"',
  async run(kit) {
    const { openids, unionids } = kit.emulator.secrets
    if (openids.size === 0) fail('the run met no openid to look for')
    const ids = [...openids, ...unionids]
    findLeaks(kit, (answer) => (isExport(answer) ? [...openids] : ids), 'an openid or unionid')
  },
}

export const runWideGroup: Group = {
  title: `every answer of the run`,
  checks: [shape, no5xx, noSessionKey, noIds],
}
