/**
 * The login page: the seed's getUserInfo button, and today's way to a real profile — the avatar
 * chooser and the nickname input. WeChat's getUserInfo now answers an anonymous 微信用户, which is
 * never shown as the user's name: the page asks for the fill-in instead.
 */
import { toAuthError, type ConsentOutcome, type User, type UserInfoResult } from '../../auth/index'
import { consentPage } from '../../behaviors/consent-page'
import { changed } from '../../utils/diff'
import { failure } from '../../utils/messages'

const auth = () => getApp<IAppOption>().auth

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
  },
  lifetimes: {
    attached() {
      const { features, session } = auth()
      this.setData({
        canIUseUserInfo: features.userInfoButton,
        canFillIn: features.profileFillIn,
        ...profileOf(session.user),
      })
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
      if (!this.data.busy) this.prepareButton(auth().userInfo)
    },

    async onGetUserInfo(e: WechatMiniprogram.ButtonGetUserInfo) {
      if (this.data.busy) return
      this.showBusy('正在获取…')
      this.showUserInfo(await auth().userInfo.submit(e.detail))
    },

    async onChooseAvatar(e: WechatMiniprogram.ButtonChooseAvatar) {
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

    onNicknameReview(e: WechatMiniprogram.InputNicknameReview) {
      // The platform has already emptied the input; say why, or the user sees it vanish.
      if (!e.detail.pass) this.showNotice('昵称未通过微信安全检查，请换一个')
    },

    async onSaveProfile(e: WechatMiniprogram.FormSubmitNickname) {
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
          ...(outcome.value.anonymous
            ? { askFillIn: true, status: '微信不再提供头像昵称，请在下方设置' }
            : { status: '已获取微信头像昵称' }),
        })
        return
      }
      this.showConsentFailure(outcome, '用户信息', (next) => this.showUserInfo(next))
    },
  },
})
