// WeChat's errmsg ends with the id of the request, what WeChat's support asks for:
//   "invalid appid, rid: 6621a3f0-1b2c3d4e-5f6a7b8c"
// The rest is logged only after anything secret-looking has gone: whatever answers in WeChat's
// place (a proxy, a mock, a misconfigured gateway) may echo the request back, the appsecret, a
// code or an access token in it.

const RID = /,?\s*rid:\s*([0-9a-f]+(?:-[0-9a-f]+)*)\s*$/i
// Long runs of base64, hex or token characters: appsecrets (32 hex digits), session_keys (24
// characters of base64), access tokens, codes. WeChat's own words are short.
const SECRET_LOOKING = /[A-Za-z0-9+/=_-]{16,}/g
const MAX_LOGGED = 200

export interface LoggedErrmsg {
  /** WeChat's request id, or null when the errmsg carries none. */
  rid: string | null
  /** The errmsg without its rid, secret-looking runs and `secrets` replaced. */
  errmsg: string
}

export function errmsgForLog(errmsg: string, secrets: readonly string[]): LoggedErrmsg {
  const rid = RID.exec(errmsg)?.[1] ?? null
  let text = errmsg.replace(RID, '')
  for (const secret of secrets) if (secret) text = text.replaceAll(secret, '[redacted]')
  text = text.replace(SECRET_LOOKING, '[redacted]')
  return {
    rid,
    errmsg: text.length > MAX_LOGGED ? `${text.slice(0, MAX_LOGGED)}…` : text,
  }
}
