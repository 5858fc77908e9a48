/**
 * The backend a release build talks to, BASE_URLS.release of miniprogram/config.ts, checked before
 * `npm run upload`: an upload becomes the version submitted for review, and a release still
 * pointing at a placeholder, or at a plain-HTTP address, fails every request on every phone.
 */
import { BASE_URLS } from '../../miniprogram/config'

const WHERE = 'BASE_URLS.release in miniprogram/config.ts'
const FIX =
  "set it to your backend's HTTPS address, whose domain is listed in the admin console " +
  '(开发管理 → 开发设置 → 服务器域名, request and uploadFile)'

/** Names kept for examples and tests (RFC 2606, RFC 6761): no backend answers there. */
const RESERVED = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i
const IP = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i

/** Why `url` cannot be a release build's backend, or null when it can. */
export function releaseUrlProblem(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"${url}" is not a URL`
  }
  if (parsed.protocol !== 'https:') {
    return `${url} is not HTTPS, which WeChat requires of a released mini-program's requests`
  }
  const host = parsed.hostname
  if (RESERVED.test(host)) {
    return `${url} is a placeholder (${host} is reserved for examples)`
  }
  if (IP.test(host)) {
    return `${url} is an IP address, which 服务器域名 cannot list: a domain is needed`
  }
  return null
}

/** The refusal `npm run upload` prints for this repository's release backend, if any. */
export function releaseRefusal(command: string, url = BASE_URLS.release): string | null {
  const problem = releaseUrlProblem(url)
  if (problem === null) return null
  return `${command} refuses to upload a build whose release cannot reach its backend:\n  - ${WHERE}: ${problem}; ${FIX}\n`
}
