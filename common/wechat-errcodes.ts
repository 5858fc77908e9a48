// WeChat's server API errcodes that this project meets — the server's client, the emulator, the
// conformance kit — by what they mean, with the errmsg WeChat sends with each (its global
// return-code table). The mini-program's own errnos are the client's, not these.

export const WECHAT_ERRCODE = {
  SYSTEM_BUSY: -1,
  OK: 0,
  /** An access token that is invalid or not the latest: another caller refreshed it. */
  ACCESS_TOKEN_NOT_LATEST: 40001,
  INVALID_GRANT_TYPE: 40002,
  INVALID_OPENID: 40003,
  INVALID_APPID: 40013,
  INVALID_ACCESS_TOKEN: 40014,
  /** A login or phone code that is unknown, expired, or (for a phone code) used. */
  INVALID_CODE: 40029,
  INVALID_URL: 40066,
  INVALID_ARGS: 40097,
  INVALID_APPSECRET: 40125,
  /** A login code already redeemed. */
  CODE_USED: 40163,
  /** The login of a high-risk user, blocked. */
  CODE_BLOCKED: 40226,
  ACCESS_TOKEN_MISSING: 41001,
  APPID_MISSING: 41002,
  APPSECRET_MISSING: 41004,
  CODE_MISSING: 41008,
  ACCESS_TOKEN_EXPIRED: 42001,
  REQUIRE_GET: 43001,
  REQUIRE_POST: 43002,
  EMPTY_POST_DATA: 44002,
  CONTENT_TOO_LARGE: 45002,
  /** The API's minute quota is used up. */
  MINUTE_QUOTA: 45011,
  DATA_FORMAT_ERROR: 47001,
  INVALID_SIG_METHOD: 87008,
  INVALID_SIGNATURE: 87009,
} as const

export type WechatErrcode = (typeof WECHAT_ERRCODE)[keyof typeof WECHAT_ERRCODE]

const E = WECHAT_ERRCODE

export const WECHAT_ERRMSG: Readonly<Record<WechatErrcode, string>> = {
  [E.SYSTEM_BUSY]: 'system error',
  [E.OK]: 'ok',
  [E.ACCESS_TOKEN_NOT_LATEST]: 'invalid credential, access_token is invalid or not latest',
  [E.INVALID_GRANT_TYPE]: 'invalid grant_type',
  [E.INVALID_OPENID]: 'invalid openid',
  [E.INVALID_APPID]: 'invalid appid',
  [E.INVALID_ACCESS_TOKEN]: 'invalid access_token',
  [E.INVALID_CODE]: 'invalid code',
  [E.INVALID_URL]: 'invalid url',
  [E.INVALID_ARGS]: 'invalid args',
  [E.INVALID_APPSECRET]: 'invalid appsecret',
  [E.CODE_USED]: 'code been used',
  [E.CODE_BLOCKED]: 'code blocked',
  [E.ACCESS_TOKEN_MISSING]: 'access_token missing',
  [E.APPID_MISSING]: 'appid missing',
  [E.APPSECRET_MISSING]: 'appsecret missing',
  [E.CODE_MISSING]: 'missing code',
  [E.ACCESS_TOKEN_EXPIRED]: 'access_token expired',
  [E.REQUIRE_GET]: 'require GET method',
  [E.REQUIRE_POST]: 'require POST method',
  [E.EMPTY_POST_DATA]: 'empty post data',
  [E.CONTENT_TOO_LARGE]: 'content size out of limit',
  [E.MINUTE_QUOTA]: 'api minute-quota reach limit mustslower retry next minute',
  [E.DATA_FORMAT_ERROR]: 'data format error',
  [E.INVALID_SIG_METHOD]: 'invalid sig_method',
  [E.INVALID_SIGNATURE]: 'invalid signature',
}

/** The errcodes that say the access token used is no longer taken: refresh it, and retry once. */
export const ACCESS_TOKEN_REJECTED: ReadonlySet<number> = new Set([
  E.ACCESS_TOKEN_NOT_LATEST,
  E.ACCESS_TOKEN_EXPIRED,
  E.INVALID_ACCESS_TOKEN,
])
