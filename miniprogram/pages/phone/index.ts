/**
 * The phone-number page. The session is made ready (checkSession, a login if needed) when the page
 * shows, so the tap's callback only posts what WeChat handed over. After a success the button stays
 * disabled: WeChat bills every successful tap.
 */
import { toAuthError, type ConsentOutcome, type PhoneNumber } from '../../auth/index'
import { maskPhone } from '../../utils/format'
import { canRetry, errorMessage, rejectionMessage } from '../../utils/messages'

type Outcome = ConsentOutcome<PhoneNumber>

/** What 重试 does on each page: resend the same payload, or prepare again. Not page data. */
const retries = new WeakMap<object, () => Promise<void>>()

const auth = () => getApp<IAppOption>().auth

Component({
  data: {
    openType: 'getPhoneNumber',
    ready: false,
    busy: false,
    done: false,
    maskedPhone: '',
    status: '',
    error: false,
    canRetry: false,
  },
  lifetimes: {
    attached() {
      const { features, session } = auth()
      const { user } = session
      this.setData({
        openType: features.phoneWithPrivacy
          ? 'getPhoneNumber|agreePrivacyAuthorization'
          : 'getPhoneNumber',
        maskedPhone: user && user.phoneNumber ? maskPhone(user.phoneNumber) : '',
      })
    },
  },
  methods: {
    onShow() {
      // Back from a native sheet mid-submit: a login now could rotate the key of the payload in flight.
      if (!this.data.done && !this.data.busy) this.prepare()
    },

    async prepare() {
      // The disabled button says "not yet" well enough; only a previous failure needs clearing.
      if (this.data.ready || this.data.error) {
        this.setData({ ready: false, status: '', error: false, canRetry: false })
      }
      try {
        await auth().phone.prepare()
        this.setData({ ready: true })
      } catch (err) {
        retries.set(this, () => this.prepare())
        this.setData({ status: errorMessage(toAuthError(err)), error: true, canRetry: true })
      }
    },

    async onGetPhoneNumber(e: WechatMiniprogram.ButtonGetPhoneNumber) {
      if (this.data.busy || this.data.done) return
      this.setData({ busy: true, status: '正在获取手机号…', error: false, canRetry: false })
      this.show(await auth().phone.submit(e.detail))
    },

    /** The combined open-type's privacy half: the tap itself is the user's agreement. */
    onAgreePrivacy() {
      auth().privacy.agree('phone-btn')
    },

    async onRetry() {
      const retry = retries.get(this)
      if (!retry || this.data.busy) return
      retries.delete(this)
      await retry()
    },

    show(outcome: Outcome) {
      switch (outcome.kind) {
        case 'ok':
          this.setData({
            busy: false,
            done: true,
            maskedPhone: maskPhone(outcome.value.phoneNumber),
            status: '手机号已绑定',
          })
          return
        case 'rejected':
          this.setData({
            busy: false,
            status: rejectionMessage(outcome.reason, '手机号'),
            error: true,
          })
          return
        case 'retap':
          this.setData({ busy: false, status: errorMessage(outcome.error), error: true })
          return
        case 'error':
          retries.set(this, async () => {
            this.setData({ busy: true, status: '正在重试…', error: false, canRetry: false })
            this.show(await outcome.retry())
          })
          this.setData({
            busy: false,
            status: errorMessage(outcome.error),
            error: true,
            canRetry: canRetry(outcome.error),
          })
      }
    },
  },
})
