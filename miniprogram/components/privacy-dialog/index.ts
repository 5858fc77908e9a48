/**
 * The privacy dialog: shows what its page passes (whether it is open, the guideline's name) and
 * tells the page what the user chose — `agree` (with the id of the button WeChat saw tapped),
 * `disagree`, `opencontract`. Its agree button is the open-type="agreePrivacyAuthorization" that
 * WeChat requires before a pending privacy call may be resolved as agreed.
 */
import { PRIVACY_CONTRACT_FALLBACK } from '../../utils/messages'

const AGREE_BUTTON_ID = 'privacy-agree'

Component({
  properties: {
    visible: { type: Boolean, value: false },
    contractName: { type: String, value: PRIVACY_CONTRACT_FALLBACK },
  },
  methods: {
    onAgree() {
      this.triggerEvent('agree', { buttonId: AGREE_BUTTON_ID })
    },
    onDisagree() {
      this.triggerEvent('disagree')
    },
    onOpenContract() {
      this.triggerEvent('opencontract')
    },
  },
})
