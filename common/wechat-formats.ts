// What WeChat's identifiers and phone numbers look like: the server takes nothing else from
// WeChat (anything else is 502 WECHAT_BAD_ANSWER, before it reaches a store or a client), and the
// emulator mints nothing else. Generous bounds around what WeChat sends today (28-character
// openids and unionids, numbers of at most 15 digits), tight enough to keep NUL bytes, lone
// surrogates and 50,000-digit numbers out.

/** An openid or a unionid: letters, digits, '-' and '_'. */
export const WECHAT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** purePhoneNumber: the number without its area code. */
export const PURE_PHONE_NUMBER = /^[0-9]{4,20}$/

/** phoneNumber: with the area code ('+' and digits) outside mainland China. */
export const PHONE_NUMBER = /^\+?[0-9]{4,24}$/

/** countryCode, as digits: WeChat documents a string and sends the number 86. */
export const COUNTRY_CODE = /^[1-9][0-9]{0,3}$/
