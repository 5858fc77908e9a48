/** What WeChat's user-info APIs answer for every user since 2022: not a name to keep. */
export const ANONYMOUS_NICKNAME = '微信用户'

/** An emoji or a Chinese character counts as one, unlike Java's String.length. */
export const NICKNAME_MAX_CODE_POINTS = 32
// Control characters, and lone surrogates, which are not text at all.
const FORBIDDEN = /[\p{Cc}\p{Cs}]/u

/** The trimmed nickname, or null when it is empty, too long or has control characters. */
export function normalizeNickName(value: string): string | null {
  const nickName = value.trim()
  const length = [...nickName].length
  if (length < 1 || length > NICKNAME_MAX_CODE_POINTS || FORBIDDEN.test(nickName)) return null
  return nickName
}
