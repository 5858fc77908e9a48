/**
 * The privacy guideline (2023+). WeChat keeps a privacy-covered button or API pending until the
 * single onNeedPrivacyAuthorization listener resolves it; a pending call that is never resolved
 * hangs the button for good. So: one listener for the whole app, a dialog on each page that can
 * ask the user, and every pending call resolved — agree, disagree, or disagree when no one can ask.
 */
import type { Platform, PrivacySetting } from './platform'
import type { PrivacyResolveOption } from './wechat'

export type PrivacyChoice = { event: 'agree'; buttonId: string } | { event: 'disagree' }

/** A dialog on screen: shown when the user must be asked, hidden once every call is resolved. */
export interface PrivacyDialog {
  show(): void
  hide(): void
}

type Resolve = (option: PrivacyResolveOption) => void

export class Privacy {
  private pending: Resolve[] = []
  private readonly dialogs: PrivacyDialog[] = []
  private installed = false

  constructor(private readonly platform: Platform) {}

  get supported(): boolean {
    return this.platform.privacy !== null
  }

  /** Registers the app's one listener (a later registration would replace it). Call in onLaunch. */
  install(): void {
    const api = this.platform.privacy
    if (!api || this.installed) return
    this.installed = true
    api.onNeedPrivacyAuthorization((resolve) => {
      const dialog = this.top()
      if (!dialog) {
        resolve({ event: 'disagree' })
        return
      }
      this.pending.push(resolve)
      dialog.show()
      resolve({ event: 'exposureAuthorization' })
    })
  }

  /** A page's dialog announces itself; the returned function detaches it. */
  attach(dialog: PrivacyDialog): () => void {
    this.dialogs.push(dialog)
    return () => {
      const index = this.dialogs.indexOf(dialog)
      if (index >= 0) this.dialogs.splice(index, 1)
      if (this.pending.length === 0) return
      // The page that asked is gone, the question unanswered: ask on the page now on top, or,
      // with none left, release the waiting calls.
      const next = this.top()
      if (next) next.show()
      else this.choose({ event: 'disagree' })
    }
  }

  /** The dialog of the page on top: pages attach theirs as they open. */
  private top(): PrivacyDialog | undefined {
    return this.dialogs[this.dialogs.length - 1]
  }

  /** Call from the agree button's bindagreeprivacyauthorization, with that button's id. */
  agree(buttonId: string): void {
    this.choose({ event: 'agree', buttonId })
  }

  disagree(): void {
    this.choose({ event: 'disagree' })
  }

  setting(): Promise<PrivacySetting | null> {
    const api = this.platform.privacy
    return api ? api.getPrivacySetting() : Promise.resolve(null)
  }

  /**
   * Asks for the agreement before a covered feature that cannot ask by itself (from base library
   * 3.4.x the nickname input silently degrades instead): the page's dialog shows if the user has
   * not agreed yet. true once agreed; true at once below 2.32.3, where nothing is covered.
   */
  require(): Promise<boolean> {
    const api = this.platform.privacy
    return api ? api.requirePrivacyAuthorize() : Promise.resolve(true)
  }

  openContract(): Promise<void> {
    const api = this.platform.privacy
    return api ? api.openPrivacyContract() : Promise.resolve()
  }

  private choose(choice: PrivacyChoice): void {
    const pending = this.pending
    this.pending = []
    pending.forEach((resolve) => resolve(choice))
    this.dialogs.forEach((dialog) => dialog.hide())
  }
}
