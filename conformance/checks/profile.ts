import {
  API_PATHS,
  ME_FIELDS,
  NICKNAME_MAX_CODE_POINTS as MAX,
  normalizeNickName,
} from '../contract'
import { expectError, expectFields, expectJson, expectUser } from '../expect'
import type { Check, Group, Kit } from '../kit'

const PROFILE = 'docs/api.md › PUT /api/me/profile'
const RULE = `${PROFILE}: "trimmed by the server …; 1 to ${MAX} Unicode code points (an emoji or a Chinese character counts as one, unlike Java's String.length); no control characters (C0, DEL, C1), no lone surrogates, and no invisible marks"`

/** A nickname as a message shows it: long ones cut, by code points, with their length. */
function label(nickName: string): string {
  const points = [...nickName]
  if (points.length <= 12) return JSON.stringify(nickName)
  return `${JSON.stringify(points.slice(0, 6).join(''))}… (${points.length} code points)`
}

/**
 * Sends each nickname; what the answer must be comes from the nickname rule itself: the rule's
 * trimmed value saved (200, and GET /api/me shows it), or 400 NICKNAME_INVALID.
 */
async function expectRule(kit: Kit, nickNames: string[]): Promise<void> {
  const { token } = await kit.signIn()
  let saved: string | null = null
  for (const nickName of nickNames) {
    const what = `PUT /api/me/profile with ${label(nickName)}`
    const answer = await kit.request('PUT', API_PATHS.profile, { token, json: { nickName } })
    const normalized = normalizeNickName(nickName)
    if (normalized === null) {
      expectError(answer, 'NICKNAME_INVALID', what)
    } else {
      const body = expectFields(expectJson(answer, what), ME_FIELDS, `${what}: the answer`)
      expectUser(body.user, `${what}: user`, { nickName: normalized })
      saved = normalized
    }
    // A refused nickname leaves the saved one as it was.
    await kit.me(token, { nickName: saved })
  }
}

const me: Check = {
  name: 'GET /api/me → 200 {user} with exactly the User fields, the same user the login gave',
  clause: 'docs/api.md › GET /api/me: "200 { user: User }"',
  async run(kit) {
    const { token, userId } = await kit.signIn()
    await kit.me(token, { id: userId, nickName: null, avatarUrl: null, phoneNumber: null })
  },
}

const trimmed: Check = {
  name: 'a nickname is trimmed and saved: 200 {user}, and GET /api/me shows it',
  clause: RULE,
  run: (kit) => expectRule(kit, ['  小明  ', '\tKit\t', 'Kit 🙂 小明']),
}

const length: Check = {
  name: `${MAX} code points are allowed (emoji and Chinese count one each); ${MAX + 1} → 400 NICKNAME_INVALID`,
  clause: RULE,
  run: (kit) =>
    expectRule(kit, [
      '🙂'.repeat(MAX),
      '汉'.repeat(MAX),
      'a'.repeat(MAX),
      '🙂'.repeat(MAX + 1),
      '汉'.repeat(MAX + 1),
      'a'.repeat(MAX + 1),
    ]),
}

const empty: Check = {
  name: 'an empty nickname, or only spaces → 400 NICKNAME_INVALID',
  clause: `${RULE}; docs/api.md › Error codes: NICKNAME_INVALID "empty after trimming"`,
  run: (kit) => expectRule(kit, ['', '   ', ' \t ']),
}

const control: Check = {
  name: 'control characters inside a nickname (NUL, line break, tab, ESC, DEL) → 400 NICKNAME_INVALID',
  clause: `${RULE}; docs/api.md › Error codes: NICKNAME_INVALID "has control characters"`,
  run: (kit) => expectRule(kit, ['a\u0000b', 'a\nb', 'a\tb', 'a\u001bb', 'a\u007fb']),
}

const invisible: Check = {
  name: 'invisible marks (zero-width space, bidirectional override, isolate, word joiner), a lone surrogate → 400 NICKNAME_INVALID; ZWJ emoji are fine',
  clause: `${RULE}; "The zero-width joiner and non-joiner (U+200D, U+200C) are allowed"`,
  run: (kit) =>
    expectRule(kit, [
      'a\u200bb',
      'abc\u202edcba',
      '\u2066abc',
      'a\u2060b',
      'a\ud800b',
      '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
    ]),
}

const malformed: Check = {
  name: 'a nickname of the wrong type, none, or an unknown field → 400 INVALID_REQUEST',
  clause: `${PROFILE}: Body { "nickName": string }, errors "400 INVALID_REQUEST"; docs/api.md › Conventions: "Unknown fields in a body are rejected"`,
  async run(kit) {
    const { token } = await kit.signIn()
    const bodies = [
      {},
      { nickName: 42 },
      { nickName: null },
      { nickName: ['Kit'] },
      { nickName: 'Kit', avatar: 'x' },
    ]
    for (const body of bodies) {
      expectError(
        await kit.request('PUT', API_PATHS.profile, { token, json: body }),
        'INVALID_REQUEST',
        `PUT /api/me/profile with ${JSON.stringify(body)}`,
      )
    }
    await kit.me(token, { nickName: null })
  },
}

export const profileGroup: Group = {
  title: 'profile: GET /api/me, PUT /api/me/profile',
  checks: [me, trimmed, length, empty, control, invisible, malformed],
}
