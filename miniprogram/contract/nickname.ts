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
// are written with them.
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]/
// A surrogate that is not half of a pair is not text at all.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/
const PAIR = /[\ud800-\udbff][\udc00-\udfff]/g

/**
 * The nickname trimmed (String.prototype.trim: Unicode spaces, line ends and the byte-order mark),
 * or null when it is empty, longer than NICKNAME_MAX_CODE_POINTS or has a forbidden character.
 */
export function normalizeNickName(value: string): string | null {
  const nickName = value.trim()
  if (FORBIDDEN.test(nickName) || LONE_SURROGATE.test(nickName)) return null
  const codePoints = nickName.replace(PAIR, '_').length
  return codePoints >= 1 && codePoints <= NICKNAME_MAX_CODE_POINTS ? nickName : null
}
