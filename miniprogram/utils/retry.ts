/**
 * What a page's 重试 button will do — resend a payload, upload a file again, prepare again — kept
 * beside the page rather than in its data: functions do not cross to the view layer.
 */
import type { ConsentOutcome } from '../auth/index'
import { consentFailure, type ConsentSubject, type StatusLine } from './messages'

const offers = new WeakMap<object, () => Promise<void>>()

interface StatusPage {
  setData(data: StatusLine & { busy: boolean }): void
}

/** Shows what went wrong and, where trying again can help, offers `retry` on 重试. */
export function showFailure(page: StatusPage, line: StatusLine, retry?: () => Promise<void>): void {
  if (line.canRetry && retry) offers.set(page, retry)
  page.setData({ busy: false, ...line })
}

/**
 * Shows a tap that did not succeed. An error leaves the payload unspent, so 重试 resends it —
 * no new tap, which WeChat would bill again — and `show` renders what that brings.
 */
export function showConsentFailure<T>(
  page: StatusPage,
  outcome: Exclude<ConsentOutcome<T>, { kind: 'ok' }>,
  subject: ConsentSubject,
  show: (next: ConsentOutcome<T>) => void,
): void {
  const retry =
    outcome.kind === 'error'
      ? async () => {
          page.setData({ busy: true, status: '正在重试…', error: false, canRetry: false })
          show(await outcome.retry())
        }
      : undefined
  showFailure(page, consentFailure(outcome, subject), retry)
}

/** Runs the retry on offer, once: a second tap finds nothing to do. */
export function runRetry(page: object): Promise<void> {
  const retry = offers.get(page)
  offers.delete(page)
  return retry ? retry() : Promise.resolve()
}
