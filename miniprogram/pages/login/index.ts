/**
 * The profile page: today's way to a real profile — the avatar chooser and the nickname input —
 * and, below it, the getUserInfo button (the documented flow), which WeChat now answers with an anonymous
 * 微信用户 that is never shown as the user's name. Each result shows beside the control that
 * caused it: the fill-in's under the form, getUserInfo's under its button.
 */
import { toAuthError, type ConsentOutcome, type User, type UserInfoResult } from '../../auth/index'
import { consentPage } from '../../behaviors/consent-page'
import { changed } from '../../utils/diff'
import { failure, privacyRefused } from '../../utils/messages'

const auth = () => getApp<IAppOption>().auth

/** Where the status line shows: under the fill-in form, or under the getUserInfo button. */
type StatusAt = 'profile' | 'userinfo'

function profileOf(user: User | null): { nickName: string; avatarUrl: string } {
  return { nickName: (user && user.nickName) || '', avatarUrl: (user && user.avatarUrl) || '' }
}

Component({
  behaviors: [consentPage],
  data: {
    canIUseUserInfo: true,
    canFillIn: true,
    nickName: '',
    avatarUrl: '',
    askFillIn: false,
    statusAt: 'userinfo' as StatusAt,
    /**
     * The nickname input is rendered once the privacy guideline is agreed: from base library
     * 3.4.x WeChat silently turns it into a plain text input before that, without asking.
     */
    nicknameReady: true,
    nicknameFocus: false,
    /** 选择头像 was tapped: a privacy refusal now is the avatar's, whose event never fires. */
    avatarAsked: false,
  },
  lifetimes: {
    attached() {
      const { features, session, privacy } = auth()
      this.setData({
        canIUseUserInfo: features.userInfoButton,
        canFillIn: features.profileFillIn,
        nicknameReady: !privacy.supported,
        ...profileOf(session.user),
      })
      if (privacy.supported) {
        privacy
          .setting()
          .then((setting) => {
            if (setting && !setting.needAuthorization) this.setData({ nicknameReady: true })
          })
          .catch(() => undefined)
      }
      this.resumeUnspent(auth().userInfo, '用户信息', (next) => this.showUserInfo(next))
      this.untilDetached(
        session.subscribe((state) => {
          // While busy, the page's own flow shows the user it gets back, in its last setData.
          if (state.status !== 'logged-in' || this.data.busy) return
          const patch = changed(this.data, profileOf(state.user))
          if (patch) this.setData(patch)
        }),
      )
    },
  },
  methods: {
    onShow() {
      // Back from the album or camera mid-upload: a login now could rotate a key still in use.
      if (this.data.busy) return
      this.at('userinfo')
      this.prepareButton(auth().userInfo)
    },

    /** The status line moves beside the control whose work it reports. */
    at(statusAt: StatusAt) {
      if (this.data.statusAt !== statusAt) this.setData({ statusAt })
    },

    async onGetUserInfo(e: WechatMiniprogram.ButtonGetUserInfo) {
      if (this.data.busy) return
      this.at('userinfo')
      this.showBusy('正在获取…')
      this.showUserInfo(await auth().userInfo.submit(e.detail))
    },

    onAvatarTap() {
      this.setData({ avatarAsked: true })
    },

    async onChooseAvatar(e: WechatMiniprogram.ButtonChooseAvatar) {
      this.setData({ avatarAsked: false })
      this.at('profile')
      const upload = async () => {
        this.showBusy('正在上传头像…')
        try {
          const user = await auth().profile.uploadAvatar(e.detail.avatarUrl)
          this.setData({ busy: false, status: '头像已更新', ...profileOf(user) })
        } catch (err) {
          this.showFailure(failure(toAuthError(err)), upload)
        }
      }
      await upload()
    },

    /** The privacy dialog's 不同意: the avatar chooser says nothing itself, so the page does. */
    onPrivacyDisagree() {
      auth().privacy.disagree()
      if (!this.data.avatarAsked) return
      this.setData({ avatarAsked: false })
      this.at('profile')
      this.showNotice(privacyRefused('设置头像'))
    },

    /** Asks for the privacy agreement before the nickname input exists (base library 3.4.x). */
    async onAskNickname() {
      this.at('profile')
      if (await auth().privacy.require()) {
        this.setData({ nicknameReady: true, nicknameFocus: true })
      } else {
        this.showNotice(privacyRefused('填写昵称'))
      }
    },

    onNicknameReview(e: WechatMiniprogram.InputNicknameReview) {
      // The platform has already emptied the input; say why, or the user sees it vanish.
      if (e.detail.pass) return
      this.at('profile')
      this.showNotice('昵称未通过微信安全检查，请换一个')
    },

    async onSaveProfile(e: WechatMiniprogram.FormSubmitNickname) {
      this.at('profile')
      const save = async () => {
        this.showBusy('正在保存…')
        try {
          const user = await auth().profile.saveNickname(e.detail.value.nickName || '')
          this.setData({ busy: false, status: '昵称已保存', askFillIn: false, ...profileOf(user) })
        } catch (err) {
          this.showFailure(failure(toAuthError(err)), save)
        }
      }
      await save()
    },

    showUserInfo(outcome: ConsentOutcome<UserInfoResult>) {
      if (outcome.kind === 'ok') {
        this.setData({
          busy: false,
          ...profileOf(outcome.value.user),
          ...(!outcome.value.anonymous
            ? { status: '已获取微信头像昵称' }
            : this.data.canFillIn
              ? { askFillIn: true, status: '微信只提供了默认头像和昵称，请在上方设置' }
              : { status: '微信只提供了默认头像和昵称' }),
        })
        return
      }
      this.showConsentFailure(outcome, '用户信息', (next) => this.showUserInfo(next))
    },
  },
})
