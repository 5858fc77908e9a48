/**
 * The page's privacy dialog. It shows itself when WeChat holds a privacy-covered button or API
 * pending, and its agree button is the open-type="agreePrivacyAuthorization" WeChat requires.
 */
import { detach, onDetach } from '../../utils/lifecycle'

const AGREE_BUTTON_ID = 'privacy-agree'

Component({
  data: {
    visible: false,
    contractName: '隐私保护指引',
  },
  lifetimes: {
    attached() {
      const { privacy } = getApp<IAppOption>().auth
      if (!privacy.supported) return
      onDetach(
        this,
        privacy.attach({
          show: () => {
            this.setData({ visible: true })
            // The guideline's name as the admin console has it; the default reads fine meanwhile.
            privacy
              .setting()
              .then((setting) => {
                if (setting && setting.privacyContractName) {
                  this.setData({ contractName: setting.privacyContractName })
                }
              })
              .catch(() => undefined)
          },
          hide: () => this.setData({ visible: false }),
        }),
      )
    },
    detached() {
      detach(this)
    },
  },
  methods: {
    onAgree() {
      getApp<IAppOption>().auth.privacy.agree(AGREE_BUTTON_ID)
    },
    onDisagree() {
      getApp<IAppOption>().auth.privacy.disagree()
    },
    onOpenContract() {
      getApp<IAppOption>()
        .auth.privacy.openContract()
        .catch(() => undefined)
    },
  },
})
