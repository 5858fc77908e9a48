/**
 * The status line the pages share: what went wrong, and what their 重试 button will do — resend a
 * payload, upload a file again, prepare again. The retry is kept beside the page rather than in
 * its data: functions do not cross to the view layer.
 */
import { toAuthError, type ConsentOutcome } from '../auth/index'
import { consentFailure, failure, type ConsentSubject, type StatusLine } from './messages'

const offers = new WeakMap<object, () => Promise<void>>()

interface StatusPage {
  setData(data: Partial<StatusLine & { busy: boolean; ready: boolean }>): void
}

interface ButtonPage extends StatusPage {
  data: { ready: boolean; error: boolean }
}

/**
 * Readies a page's consent button: the session is checked (and renewed) before the user can tap,
 * the button staying disabled meanwhile; a failure is shown with 重试.
 */
export async function prepareButton(
  page: ButtonPage,
  flow: { prepare(): Promise<void> },
): Promise<void> {
  if (page.data.ready || page.data.error) {
    page.setData({ ready: false, status: '', error: false, canRetry: false })
  }
  try {
    await flow.prepare()
    page.setData({ ready: true })
  } catch (err) {
    showFailure(page, failure(toAuthError(err)), () => prepareButton(page, flow))
  }
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
