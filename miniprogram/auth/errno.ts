/**
 * WeChat's client errnos that the auth module tells apart (the `errno` of a failed call or
 * button event, base library 2.24.0+), by what they mean: the one table, read by the module and
 * played by the preview's WeChat and the tests' fake one.
 */
export const WX_ERRNO = {
  /** The user has not agreed to the privacy guideline. */
  PRIVACY_NOT_AGREED: 104,
  /** The API is missing from the privacy guideline: a configuration error. */
  PRIVACY_UNDECLARED: 112,
  /** The phone-number quota is used up. */
  PHONE_QUOTA_EXHAUSTED: 1400001,
  /** WeChat blocks this user from logging in to this mini-program (risk control). */
  LOGIN_BLOCKED: 1402101,
  /** WeChat blocks this user's phone number from this mini-program. */
  PHONE_BLOCKED: 1421102,
} as const
