/**
 * One table for the one nickname rule (miniprogram/contract/nickname.ts), run against the
 * mini-program (test/contract/nickname.test.ts) and against the server over HTTP
 * (server/test/me.test.ts): both sides must agree on every row.
 */

/** [what, as typed, as kept]: taken, trimmed. */
export const TAKEN_NICKNAMES: [string, string, string][] = [
  ['32 Chinese characters', '微'.repeat(32), '微'.repeat(32)],
  ['32 emoji, each one code point', '😀'.repeat(32), '😀'.repeat(32)],
  ['one character', 'a', 'a'],
  ['inner spaces', 'Mr T', 'Mr T'],
  ['spaces around, trimmed', '  小明 ', '小明'],
  ['ideographic spaces and a byte-order mark around, trimmed', '\u3000\ufeff小明\u3000', '小明'],
  ['an emoji written with zero-width joiners', '👨‍👩‍👧', '👨‍👩‍👧'],
  ['a zero-width non-joiner, as Persian writes', 'می\u200cخواهم', 'می\u200cخواهم'],
  // England's flag: a black flag, then tag characters that spell gbeng, then the cancel tag.
  [
    'a flag written with tag characters',
    'Kit \u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}',
    'Kit \u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}',
  ],
  ['an emoji with its variation selector', '\u2764\ufe0f', '\u2764\ufe0f'],
]

/** [what, as typed]: refused, 400 NICKNAME_INVALID. */
export const REFUSED_NICKNAMES: [string, string][] = [
  ['an empty string', ''],
  ['only spaces', ' \t\u3000 '],
  ['33 characters', 'a'.repeat(33)],
  ['33 emoji', '😀'.repeat(33)],
  ['a newline', 'a\nb'],
  ['a NUL', 'a\u0000b'],
  ['a DEL', 'a\u007fb'],
  ['a C1 control', 'a\u0085b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
  ['a zero-width space', 'a\u200bb'],
  ['a right-to-left mark', 'a\u200fb'],
  ['a right-to-left override', 'abc\u202edcba'],
  ['a left-to-right isolate', '\u2066abc'],
  ['a word joiner', 'a\u2060b'],
  ['a byte-order mark inside', 'a\ufeffb'],
  ['a line separator inside', 'a\u2028b'],
  // Characters that render as nothing, so that a name of them looks blank or like another's.
  ['a Hangul filler (U+3164)', '\u3164'],
  ['a halfwidth Hangul filler (U+FFA0)', '\uffa0'],
  ['a Hangul choseong filler (U+115F)', 'a\u115fb'],
  ['a Hangul jungseong filler (U+1160)', 'a\u1160b'],
  ['a soft hyphen (U+00AD)', 'a\u00adb'],
  ['a combining grapheme joiner (U+034F)', 'a\u034fb'],
  ['a Mongolian vowel separator (U+180E)', 'a\u180eb'],
  ['a braille blank (U+2800)', '\u2800'],
  ['tag characters outside a flag', 'a\u{e0041}\u{e0042}'],
  ['a lone cancel tag', '\u{e007f}'],
  ['a noncharacter (U+FFFE)', 'a\ufffeb'],
  ['a noncharacter (U+FFFF)', 'a\uffffb'],
  ['a noncharacter (U+FDD0)', 'a\ufdd0b'],
  ['only a zero-width joiner', '\u200d'],
  ['only variation selectors', '\ufe0f\ufe0f'],
]
