/**
 * The privacy guideline as WeChat enforces it (base library 2.32.3+): until the user agrees, a
 * privacy-covered button or API is held and the app's onNeedPrivacyAuthorization listener (the
 * last one registered) decides; without a listener WeChat shows its own popup. Agreeing takes a
 * tap on an open-type="agreePrivacyAuthorization" button, whose id the app's resolve must name.
 */
import { WX_ERRNO } from '../../../miniprogram/auth/errno'
import { readAccount, writeAccount } from '../../shared/state'
import * as overlays from '../native/overlays'
import { WxFailure, api } from './callbacks'
import { available } from './versions'

type Resolve = (option: { event: string; buttonId?: string }) => void
type Listener = (resolve: Resolve, eventInfo: { referrer: string }) => void

/** What this mini-program declares in its guideline (README, the admin console). */
const DECLARED = ['收集你的手机号', '收集你的昵称、头像', '使用你的剪切板']

export const PRIVACY_NOT_AUTHORIZED = new WxFailure(
  'privacy permission is not authorized',
  WX_ERRNO.PRIVACY_NOT_AGREED,
)

export class Privacy {
  private listener: Listener | null = null
  private readonly agreeButtons = new Set<string>()

  constructor(
    private readonly appName: string,
    readonly contractName: string,
  ) {}

  get supported(): boolean {
    return available('getPrivacySetting')
  }

  needsAuthorization(): boolean {
    return this.supported && !readAccount().privacyAgreed
  }

  /** A tap on an agreePrivacyAuthorization button: the agreement itself. */
  agreeByButton(buttonId: string): void {
    writeAccount({ privacyAgreed: true })
    this.agreeButtons.add(buttonId)
  }

  /** Holds a privacy-covered call until the user decides: true to go on. */
  ask(referrer: string): Promise<boolean> {
    if (!this.needsAuthorization()) return Promise.resolve(true)
    const listener = this.listener
    if (!listener) {
      return overlays
        .askPrivacy(this.appName, this.contractName, () => void this.openContract())
        .then((agreed) => {
          if (agreed) writeAccount({ privacyAgreed: true })
          return agreed
        })
    }
    return new Promise((resolve) => {
      let decided = false
      listener(
        (option) => {
          if (decided || option.event === 'exposureAuthorization') return
          if (option.event === 'agree') {
            if (!option.buttonId || !this.agreeButtons.has(option.buttonId)) {
              console.error(
                `resolve({ event: 'agree', buttonId: ${JSON.stringify(option.buttonId)} }): no ` +
                  'open-type="agreePrivacyAuthorization" button with that id was tapped',
              )
              return
            }
          } else if (option.event !== 'disagree') {
            console.error(`resolve() with an unknown event ${JSON.stringify(option.event)}`)
            return
          }
          decided = true
          resolve(option.event === 'agree')
        },
        { referrer },
      )
    })
  }

  openContract(): Promise<void> {
    return overlays.showContract(this.contractName, DECLARED)
  }

  apis() {
    return {
      onNeedPrivacyAuthorization: (listener: Listener) => {
        this.listener = listener
      },
      getPrivacySetting: api('getPrivacySetting', () => ({
        needAuthorization: this.needsAuthorization(),
        privacyContractName: this.contractName,
      })),
      requirePrivacyAuthorize: api('requirePrivacyAuthorize', async () => {
        if (!(await this.ask('requirePrivacyAuthorize'))) throw PRIVACY_NOT_AUTHORIZED
        return {}
      }),
      openPrivacyContract: api('openPrivacyContract', async () => {
        await this.openContract()
        return {}
      }),
    }
  }
}
