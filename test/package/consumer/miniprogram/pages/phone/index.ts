import { consentPage, type AuthApp, type ConsentOutcome, type PhoneNumber } from 'weapp-login'

const auth = () => getApp<AuthApp>().auth

Component({
  behaviors: [consentPage],
  data: { openType: 'getPhoneNumber', phoneNumber: '' },
  lifetimes: {
    attached() {
      this.setData({ openType: auth().phone.button.openType })
    },
  },
  methods: {
    onShow() {
      if (!this.data.phoneNumber && !this.data.busy) this.prepareButton(auth().phone)
    },

    async onGetPhoneNumber(e: WechatMiniprogram.ButtonGetPhoneNumber) {
      if (this.data.busy) return
      this.showBusy('正在获取手机号…')
      this.show(await auth().phone.submit(e.detail))
    },

    show(outcome: ConsentOutcome<PhoneNumber>) {
      if (outcome.kind === 'ok') {
        this.setData({
          busy: false,
          phoneNumber: outcome.value.phoneNumber,
          status: '手机号已绑定',
        })
        return
      }
      this.showConsentFailure(outcome, '手机号', (next) => this.show(next))
    },

    onAgreePrivacy() {
      auth().privacy.agree('phone-btn')
    },
  },
})
