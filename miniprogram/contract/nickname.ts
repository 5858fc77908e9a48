/**
 * The one nickname rule: the server enforces it (400 NICKNAME_INVALID), the mini-program checks it
 * first so the user hears at once. Written without Unicode property escapes (\p{…}), which WeChat's
 * ES5 build would expand into pages of character ranges.
 */

/** What WeChat's user-info APIs answer for every user since 2022: not a name to keep. */
export const ANONYMOUS_NICKNAME = '微信用户'

/** Counted in code points: an emoji or a Chinese character is one, unlike Java's String.length. */
export const NICKNAME_MAX_CODE_POINTS = 32

// Control characters (C0, DEL, C1), and the invisible ones that make two names look alike or
// reorder the text around them: the zero-width space, the bidirectional marks, embeddings,
// overrides and isolates, line and paragraph separators, word joiners, the byte-order mark. The
// zero-width joiner and non-joiner (U+200C, U+200D) stay: emoji such as 👨‍👩‍👧 and some scripts
// are written with them. Then what renders as nothing at all, so that a name of it looks blank:
// the soft hyphen, the combining grapheme joiner, the Hangul fillers (U+115F, U+1160, U+3164,
// U+FFA0), the Mongolian vowel separator, the braille blank, and noncharacters (U+FDD0–U+FDEF,
// U+FFFE, U+FFFF).
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\u2800\u3164\ufdd0-\ufdef\ufeff\uffa0\ufffe\uffff]|\u034f/
// A surrogate that is not half of a pair is not text at all.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/
const PAIR = /[\ud800-\udbff][\udc00-\udfff]/g
// Tag characters (U+E0000–U+E007F) render as nothing, except in the one place they mean
// something: a subdivision flag, the black flag U+1F3F4 followed by tags and the cancel tag.
const TAG_FLAG = /\ud83c\udff4(?:\udb40[\udc20-\udc7e])+\udb40\udc7f/g
const TAG = /\udb40[\udc00-\udc7f]/
// What only shapes the character before it: a name of nothing else shows nothing. The joiners,
// the variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF).
const SHAPING = /\u200c|\u200d|[\ufe00-\ufe0f]|\udb40[\udd00-\uddef]/g

/**
 * The nickname trimmed (String.prototype.trim: Unicode spaces, line ends and the byte-order mark),
 * or null when it is empty, longer than NICKNAME_MAX_CODE_POINTS, has a forbidden character, or
 * shows nothing (only joiners and variation selectors).
 */
export function normalizeNickName(value: string): string | null {
  const nickName = value.trim()
  if (FORBIDDEN.test(nickName) || LONE_SURROGATE.test(nickName)) return null
  if (TAG.test(nickName.replace(TAG_FLAG, ''))) return null
  if (nickName.replace(SHAPING, '') === '') return null
  const codePoints = nickName.replace(PAIR, '_').length
  return codePoints >= 1 && codePoints <= NICKNAME_MAX_CODE_POINTS ? nickName : null
}
