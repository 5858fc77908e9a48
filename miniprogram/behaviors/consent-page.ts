/**
 * What the pages with a consent button (login, phone) share: the status line and its 重试, the
 * button readied before a tap, and the page's privacy dialog wired to auth.privacy. The dialog
 * itself only shows what the page passes and says what the user chose.
 */
import { toAuthError, type AuthApp, type ConsentOutcome, type UnspentOutcome } from '../auth/index'
import {
  consentFailure,
  failure,
  PRIVACY_CONTRACT_FALLBACK,
  type ConsentSubject,
  type StatusLine,
} from '../utils/messages'
import { behaviorWithFields } from './define'
import { subscriptions } from './subscriptions'

// The app keeps its auth on the app object (app.ts); a page's getApp() reaches it.
const auth = () => getApp<AuthApp>().auth

export const consentPage = behaviorWithFields<{
  /** What 重试 will do: resend a payload, upload again, prepare again. Functions stay off data. */
  retryOffer: (() => Promise<void>) | null
}>()({
  behaviors: [subscriptions],
  data: {
    /** The status line, whether it reports a failure, whether 重试 can help. */
    status: '',
    error: false,
    canRetry: false,
    /** A tap's work is under way: buttons are disabled, a second tap is ignored. */
    busy: false,
    /**
     * A consent payload failed in transit and 重试 can resend it: the consent button stays
     * disabled and the page is not readied again, since a new tap would be billed again and a
     * login could spoil a payload sealed with the current session_key.
     */
    unspent: false,
    /** The session is checked (and renewed) and the consent button may be tapped. */
    ready: false,
    privacyVisible: false,
    /** The guideline's name as the admin console has it, once WeChat says. */
    privacyContractName: PRIVACY_CONTRACT_FALLBACK,
  },
  lifetimes: {
    created() {
      this.retryOffer = null
    },
    attached() {
      const { privacy } = auth()
      if (!privacy.supported) return
      this.untilDetached(
        privacy.attach({
          show: () => {
            this.setData({ privacyVisible: true })
            privacy
              .setting()
              .then((setting) => {
                const name = setting && setting.privacyContractName
                if (name && name !== this.data.privacyContractName) {
                  this.setData({ privacyContractName: name })
                }
              })
              .catch(() => undefined)
          },
          hide: () => {
            if (this.data.privacyVisible) this.setData({ privacyVisible: false })
          },
        }),
      )
    },
  },
  methods: {
    /**
     * Readies the consent button: the session is checked (and renewed) before the user can tap,
     * the button staying disabled meanwhile; a failure is shown with 重试.
     */
    async prepareButton(flow: { prepare(): Promise<void> }) {
      if (this.data.unspent) return
      if (this.data.ready || this.data.error) {
        this.setData({ ready: false, status: '', error: false, canRetry: false })
      }
      try {
        await flow.prepare()
        this.setData({ ready: true })
      } catch (err) {
        this.showFailure(failure(toAuthError(err)), () => this.prepareButton(flow))
      }
    },

    /** Work has started: the status line says what, the buttons wait, 重试 is withdrawn. */
    showBusy(status: string) {
      this.retryOffer = null
      this.setData({ busy: true, status, error: false, canRetry: false, unspent: false })
    },

    /** Shows what went wrong and, where trying again can help, offers `retry` on 重试. */
    showFailure(line: StatusLine, retry?: () => Promise<void>, unspent = false) {
      const offered = line.canRetry && retry !== undefined
      this.retryOffer = offered ? retry : null
      this.setData({ busy: false, ...line, unspent: offered && unspent })
    },

    /**
     * A failure beside the page's work (the nickname refused as it is typed): it takes the status
     * line, and a 重试 on offer goes with it; work in flight goes on.
     */
    showNotice(status: string) {
      this.retryOffer = null
      this.setData({ status, error: true, canRetry: false, unspent: false })
    },

    /**
     * Shows a tap that did not succeed. An error leaves the payload unspent, so 重试 resends it —
     * no new tap, which WeChat would bill again — and `show` renders what that brings.
     */
    showConsentFailure<T>(
      outcome: Exclude<ConsentOutcome<T>, { kind: 'ok' }>,
      subject: ConsentSubject,
      show: (next: ConsentOutcome<T>) => void,
    ) {
      const retry =
        outcome.kind === 'error'
          ? async () => {
              this.showBusy('正在重试…')
              show(await outcome.retry())
            }
          : undefined
      this.showFailure(consentFailure(outcome, subject), retry, true)
    },

    /**
     * A payload an earlier visit left unspent, which WeChat still honours (the auth module holds
     * it): 重试 on this page resends it, and the consent button waits.
     */
    resumeUnspent<T>(
      flow: { unspent(): UnspentOutcome<T> | null },
      subject: ConsentSubject,
      show: (next: ConsentOutcome<T>) => void,
    ) {
      const held = flow.unspent()
      if (held) this.showConsentFailure(held, subject, show)
    },

    /** 重试: runs the retry on offer, once; a second tap finds nothing to do. */
    async onRetry() {
      const retry = this.retryOffer
      if (this.data.busy || !retry) return
      this.retryOffer = null
      await retry()
    },

    /** The dialog's agree button (open-type="agreePrivacyAuthorization") was tapped. */
    onPrivacyAgree(e: WechatMiniprogram.CustomEvent<{ buttonId: string }>) {
      auth().privacy.agree(e.detail.buttonId)
    },

    onPrivacyDisagree() {
      auth().privacy.disagree()
    },

    onPrivacyContract() {
      auth()
        .privacy.openContract()
        .catch(() => undefined)
    },
  },
})
