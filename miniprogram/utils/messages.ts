/**
 * What the user reads: short Chinese sentences that say what to do next. Pages pick them by
 * error code or rejection, never by parsing a message.
 */
import type { AuthError, AuthErrorCode, ConsentOutcome, Rejection } from '../auth/index'

/** The login after a tap the backend could not use is done: the tap is what is left to do. */
const TAP_AGAIN_AFTER_LOGIN = '登录状态已更新，请再点一次按钮'
/** errno 1402101: WeChat's risk control keeps this user out; waiting or support can help. */
const LOGIN_BLOCKED = '微信暂时限制了你的账号登录本小程序，请稍后再试或联系客服'

const ERROR_MESSAGES: Partial<Record<AuthErrorCode, string>> = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  TIMEOUT: '网络超时，请稍后重试',
  REQUEST_TIMEOUT: '网络太慢，请求没能及时送达，请稍后重试',
  WX_LOGIN_FAILED: '微信登录失败，请重试',
  WX_LOGIN_BLOCKED: LOGIN_BLOCKED,
  WECHAT_UNAVAILABLE: '微信服务繁忙，请稍后重试',
  WECHAT_BAD_ANSWER: '微信服务异常，请稍后重试',
  RATE_LIMITED: '操作太频繁，请稍等一分钟再试',
  WECHAT_RISK_BLOCKED: '微信判断当前账号存在风险，暂时无法登录，请联系客服',
  WECHAT_CODE_INVALID: '授权已过期，请再点一次按钮',
  UNAUTHORIZED: '登录已失效，请重试',
  NOT_LOGGED_IN: '登录已失效，请重试',
  STORAGE_FAILED: '手机存储空间不足，登录状态未能保存，请清理后重试',
  SESSION_KEY_STALE: TAP_AGAIN_AFTER_LOGIN,
  SIGNATURE_INVALID: TAP_AGAIN_AFTER_LOGIN,
  WATERMARK_INVALID: '授权数据已过期，请再点一次按钮',
  NICKNAME_INVALID: '昵称需为 1 到 32 个字，且不能含特殊字符',
  PAYLOAD_TOO_LARGE: '图片太大，请选择 1MB 以内的图片',
  UNSUPPORTED_MEDIA_TYPE: '只支持 PNG、JPEG、WebP 格式的图片',
}

/** A tap to make again, where the page's own words (重试) would promise a resend. */
const RETAP_MESSAGES: Partial<Record<AuthErrorCode, string>> = {
  WECHAT_UNAVAILABLE: '微信服务繁忙，请稍后再点一次按钮',
  WECHAT_BAD_ANSWER: '微信服务异常，请稍后再点一次按钮',
}

const NOT_RETRYABLE: AuthErrorCode[] = [
  'INVALID_REQUEST',
  'WECHAT_RISK_BLOCKED',
  'WX_LOGIN_BLOCKED',
  'NICKNAME_INVALID',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
]

/** A page's status line: the sentence, whether it reports a failure, whether 重试 can help. */
export interface StatusLine {
  status: string
  error: boolean
  canRetry: boolean
}

export function failure(error: AuthError): StatusLine {
  return { status: errorMessage(error), error: true, canRetry: canRetry(error) }
}

/** The status line of a button tap that did not end in success. */
export function consentFailure(
  outcome: Exclude<ConsentOutcome<unknown>, { kind: 'ok' }>,
  subject: ConsentSubject,
): StatusLine {
  switch (outcome.kind) {
    case 'rejected':
      return { status: rejectionMessage(outcome.reason, subject), error: true, canRetry: false }
    case 'retap':
      return {
        status: outcome.afterLogin
          ? TAP_AGAIN_AFTER_LOGIN
          : (RETAP_MESSAGES[outcome.error.code] ?? errorMessage(outcome.error)),
        error: true,
        canRetry: false,
      }
    case 'error':
      return failure(outcome.error)
  }
}

export function errorMessage(error: AuthError): string {
  return ERROR_MESSAGES[error.code] ?? '服务暂时不可用，请稍后重试'
}

/** Whether a 重试 button can help; a rejected nickname or a blocked account will not change. */
export function canRetry(error: AuthError): boolean {
  return !NOT_RETRYABLE.includes(error.code)
}

export type ConsentSubject = '手机号' | '用户信息'

function rejectionMessage(reason: Rejection, subject: ConsentSubject): string {
  switch (reason) {
    case 'denied':
      return `你取消了授权，需要时可再点一次按钮`
    case 'no-permission':
      return `本小程序暂未开通获取${subject}的能力，不是你的问题，请改用其他方式`
    case 'quota-exhausted':
      return `暂时无法验证${subject}，请改用其他方式或稍后再试`
    case 'privacy-not-agreed':
      return privacyRefused(`获取${subject}`)
    case 'privacy-undeclared':
      return `小程序暂时无法获取${subject}，请联系客服`
    case 'login-blocked':
      return LOGIN_BLOCKED
    case 'phone-blocked':
      return `微信暂时限制了你的账号向本小程序提供${subject}，请改用其他方式`
    case 'failed':
      return `获取${subject}失败，请再点一次按钮`
  }
}

/** The user said no in the privacy dialog: what they cannot do until they agree. */
export function privacyRefused(
  action: '获取手机号' | '获取用户信息' | '设置头像' | '填写昵称' | '复制数据',
): string {
  return `需要先同意隐私保护指引，才能${action}`
}

/** The privacy guideline's name until WeChat tells the one set in the admin console. */
export const PRIVACY_CONTRACT_FALLBACK = '隐私保护指引'

export const STATE_TEXT = {
  anonymous: '未登录',
  'logging-in': '正在登录…',
  'logged-in': '已登录',
  error: '登录失败',
} as const
