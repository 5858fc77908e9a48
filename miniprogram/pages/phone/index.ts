/**
 * The phone-number page. The session is made ready (checkSession, a login if needed) when the page
 * shows, so the tap's callback only posts what WeChat handed over. After a success the button stays
 * disabled: WeChat bills every successful tap. WeChat's own "quota used up" sheet is switched off
 * (phone-number-no-quota-toast, 3.0.1), so the page's message is the one the user reads.
 */
import type { ConsentOutcome, PhoneNumber } from '../../auth/index'
import { consentPage } from '../../behaviors/consent-page'
import { maskPhone } from '../../utils/format'

const auth = () => getApp<IAppOption>().auth

Component({
  behaviors: [consentPage],
  data: {
    openType: 'getPhoneNumber',
    done: false,
    maskedPhone: '',
  },
  lifetimes: {
    attached() {
      const { phone, session } = auth()
      const { user } = session
      this.setData({
        openType: phone.button.openType,
        maskedPhone: user && user.phoneNumber ? maskPhone(user.phoneNumber) : '',
      })
      this.resumeUnspent(phone, '手机号', (next) => this.show(next))
    },
  },
  methods: {
    onShow() {
      // Back from a native sheet mid-submit: a login now could rotate the key of the payload in flight.
      if (!this.data.done && !this.data.busy) this.prepareButton(auth().phone)
    },

    /** The fast and the real-time button alike: the backend redeems either code the same way. */
    async onGetPhoneNumber(
      e: WechatMiniprogram.ButtonGetPhoneNumber | WechatMiniprogram.ButtonGetRealtimePhoneNumber,
    ) {
      if (this.data.busy || this.data.done) return
      this.showBusy('正在获取手机号…')
      this.show(await auth().phone.submit(e.detail))
    },

    /** The combined open-type's privacy half: the tap itself is the user's agreement. */
    onAgreePrivacy() {
      auth().privacy.agree('phone-btn')
    },

    show(outcome: ConsentOutcome<PhoneNumber>) {
      if (outcome.kind === 'ok') {
        this.setData({
          busy: false,
          done: true,
          maskedPhone: maskPhone(outcome.value.phoneNumber),
          status: '手机号已绑定',
        })
        return
      }
      this.showConsentFailure(outcome, '手机号', (next) => this.show(next))
    },
  },
})
