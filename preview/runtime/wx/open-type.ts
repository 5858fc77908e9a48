/**
 * What an open-type button does when tapped, as WeChat does it: the privacy gate first, then
 * WeChat's own sheet where the user allows or refuses, then the event with what WeChat hands
 * over — minted by the emulator for the preview's user, so the server can redeem and decrypt it.
 */
import { WX_ERRNO } from '../../../miniprogram/auth/errno'
import { readAccount, readSettings } from '../../shared/state'
import * as overlays from '../native/overlays'
import { control } from './emulator'
import { saveTempFile } from './files'
import { PRIVACY_NOT_AUTHORIZED, type Privacy } from './privacy'
import { BEHAVIOUR_SINCE, atLeast, available } from './versions'

/** The tapped button, as the open-type action sees it. */
export interface OpenTypeButton {
  id: string
  trigger(event: string, detail: Record<string, unknown>): void
}

type Detail = Record<string, unknown>

function maskPhone(number: string): string {
  return number.replace(/^(\d{3})\d{4}(\d{4})$/, '$1****$2')
}

export class OpenTypes {
  constructor(
    private readonly privacy: Privacy,
    private readonly appName: string,
  ) {}

  private failure(api: string, reason: string, errno?: number): Detail {
    const detail: Detail = { errMsg: `${api}:fail ${reason}` }
    if (errno !== undefined && atLeast(BEHAVIOUR_SINCE.errno)) detail.errno = errno
    return detail
  }

  /** The privacy gate for a covered button: the refusal's detail, or null to go on. */
  private async gate(api: string, openType: string): Promise<Detail | null> {
    if (await this.privacy.ask(`button.${openType}`)) return null
    return this.failure(api, PRIVACY_NOT_AUTHORIZED.reason, PRIVACY_NOT_AUTHORIZED.errno)
  }

  /** Runs `open-type` (one, or two joined by |) for a tap on `button`. */
  async run(openType: string, button: OpenTypeButton): Promise<void> {
    const types = openType.split('|').filter(Boolean)
    if (types.length > 1 && !atLeast(BEHAVIOUR_SINCE.combinedOpenType)) return
    if (types.includes('agreePrivacyAuthorization')) {
      if (!available('button.open-type.agreePrivacyAuthorization')) return
      this.privacy.agreeByButton(button.id)
      button.trigger('agreeprivacyauthorization', {})
    }
    for (const type of types) {
      if (type === 'agreePrivacyAuthorization') continue
      if (!available(`button.open-type.${type}`)) continue
      switch (type) {
        case 'getPhoneNumber':
        case 'getRealtimePhoneNumber':
          button.trigger(type.toLowerCase(), await this.phoneNumber(type))
          break
        case 'getUserInfo':
          button.trigger('getuserinfo', await this.userInfo())
          break
        case 'chooseAvatar': {
          const detail = await this.avatar()
          if (detail) button.trigger('chooseavatar', detail)
          break
        }
        default:
          overlays.showToast(`预览不支持 open-type="${type}"`, 'none', 1500, false)
      }
    }
  }

  private async phoneNumber(api: 'getPhoneNumber' | 'getRealtimePhoneNumber'): Promise<Detail> {
    const refused = await this.gate(api, api)
    if (refused) return refused
    const { phoneAccess } = readSettings()
    if (phoneAccess === 'no-permission') return this.failure(api, 'no permission')
    // Quota is checked on the tap, before the user is asked.
    if (phoneAccess === 'quota-exhausted')
      return this.failure(api, 'quota exceeded', WX_ERRNO.PHONE_QUOTA_EXHAUSTED)
    if (phoneAccess === 'blocked')
      return this.failure(api, 'user is blocked', WX_ERRNO.PHONE_BLOCKED)
    const { openid, phoneNumber } = readAccount()
    const allowed = await overlays.askInSheet({
      kind: 'phone',
      app: this.appName,
      title: '获取你的手机号',
      rows: [`${maskPhone(phoneNumber)}  微信绑定号码`],
      allowText: '允许',
      denyText: '不允许',
    })
    if (!allowed) return this.failure(api, 'user deny')
    const minted = await control.phone({ openid, phoneNumber })
    if (api === 'getRealtimePhoneNumber') return { errMsg: `${api}:ok`, code: minted.code }
    const detail: Detail = {
      errMsg: `${api}:ok`,
      encryptedData: minted.encryptedData,
      iv: minted.iv,
    }
    if (atLeast(BEHAVIOUR_SINCE.phoneCode)) detail.code = minted.code
    return detail
  }

  private async userInfo(): Promise<Detail> {
    const refused = await this.gate('getUserInfo', 'getUserInfo')
    if (refused) return refused
    const allowed = await overlays.askInSheet({
      kind: 'userinfo',
      app: this.appName,
      title: '获取你的昵称、头像',
      rows: ['微信个人信息（昵称、头像）'],
      allowText: '允许',
      denyText: '拒绝',
    })
    if (!allowed) return this.failure('getUserInfo', 'auth deny')
    // Anonymous, as WeChat answers getUserInfo today (微信用户 and a grey avatar).
    const minted = await control.userInfo({ openid: readAccount().openid })
    return { errMsg: 'getUserInfo:ok', userInfo: JSON.parse(minted.rawData), ...minted }
  }

  /** The album: a file picker. Nothing is sent when the user picks nothing, as in WeChat. */
  private async avatar(): Promise<Detail | null> {
    if (await this.gate('chooseAvatar', 'chooseAvatar')) return null
    const file = await pickImage()
    return file ? { avatarUrl: saveTempFile(file) } : null
  }
}

function pickImage(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input')
    input.type = 'file'
    input.accept = 'image/*'
    input.addEventListener('change', () => resolve(input.files?.[0] ?? null), { once: true })
    input.addEventListener('cancel', () => resolve(null), { once: true })
    input.click()
  })
}
