/**
 * A URL as it may be printed: with `***` for the user and password it may carry
 * (`WECHAT_API_BASE=http://user:pw@host`), whether or not it parses.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@')
}
