/**
 * 账号与安全: the user's own account. The phone number unbound, every device logged out, what is
 * held shown and copied, the account closed (注销): each through auth.account, WeChat's modal first
 * where it cannot be undone, the outcome on the status line with 重试 where that helps. After
 * 退出所有设备 or 注销 the app goes back to the anonymous home page.
 */
import { toAuthError, type AccountExport, type AuthState } from '../../auth/index'
import { consentPage } from '../../behaviors/consent-page'
import { formatTime, maskPhone } from '../../utils/format'
import { failure, privacyRefused } from '../../utils/messages'

const auth = () => getApp<IAppOption>().auth
const WARN = '#c93030'
/** errno of a privacy-covered API the user has not agreed to (wx.setClipboardData is one). */
const PRIVACY_NOT_AGREED = 104

interface Held {
  label: string
  value: string
}

function heldRows(held: AccountExport): Held[] {
  const { user, sessions } = held
  const since = sessions.since ? `，最早 ${formatTime(sessions.since)}` : ''
  return [
    { label: '用户编号', value: user.id },
    { label: '昵称', value: user.nickName || '未设置' },
    { label: '头像', value: user.avatarUrl || '未设置' },
    { label: '手机号', value: user.phoneNumber || '未绑定' },
    { label: 'UnionID', value: held.unionid || '无' },
    { label: '注册时间', value: formatTime(held.createdAt) },
    { label: '最近登录', value: held.lastLoginAt ? formatTime(held.lastLoginAt) : '未记录' },
    { label: '登录设备', value: `${sessions.open} 台${since}` },
    { label: '导出时间', value: formatTime(held.exportedAt) },
  ]
}

/** WeChat's modal, in the warn colour: resolves true when the user confirms. */
function confirmed(title: string, content: string, confirmText: string): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      content,
      confirmText,
      confirmColor: WARN,
      success: (res) => resolve(res.confirm),
      fail: () => resolve(false),
    })
  })
}

/** The session is gone: a word, and the home page as a new launch would show it. */
function leave(toast: string): void {
  wx.showToast({ title: toast, icon: 'success' })
  wx.reLaunch({ url: '/pages/index/index' })
}

Component({
  behaviors: [consentPage],
  data: {
    maskedPhone: '',
    held: [] as Held[],
  },
  lifetimes: {
    attached() {
      this.untilDetached(auth().session.subscribe((state) => this.showPhone(state)))
    },
  },
  methods: {
    showPhone(state: AuthState) {
      const user = state.status === 'logged-in' ? state.user : auth().session.user
      const maskedPhone = user && user.phoneNumber ? maskPhone(user.phoneNumber) : ''
      if (maskedPhone !== this.data.maskedPhone) this.setData({ maskedPhone })
    },

    /** `work` under the status line: busy, then its own outcome, or the failure with 重试. */
    async act(busy: string, work: () => Promise<void>) {
      this.showBusy(busy)
      try {
        await work()
      } catch (err) {
        this.showFailure(failure(toAuthError(err)), () => this.act(busy, work))
      }
    },

    async onUnbindPhone() {
      const content = '解绑后，不能再用这个手机号找回账号、接收通知；需要时可以重新绑定。'
      if (this.data.busy || !(await confirmed('解绑手机号', content, '解绑'))) return
      await this.act('正在解绑…', async () => {
        await auth().account.unbindPhone()
        this.setData({ busy: false, status: '手机号已解绑' })
      })
    },

    async onLogoutAll() {
      const content = '你在所有设备上的登录都会失效，包括这台手机，之后需要重新登录。'
      if (this.data.busy || !(await confirmed('退出所有设备', content, '退出'))) return
      await this.act('正在退出…', async () => {
        await auth().account.logoutAll()
        leave('已退出所有设备')
      })
    },

    async onExport() {
      if (this.data.busy) return
      await this.act('正在读取…', async () => {
        const held = heldRows(await auth().account.exportData())
        this.setData({ busy: false, status: '', held })
      })
    },

    onCopy() {
      wx.setClipboardData({
        data: this.data.held.map((row) => `${row.label}：${row.value}`).join('\n'),
        success: () =>
          this.setData({ status: '已复制，可以粘贴保存', error: false, canRetry: false }),
        fail: (err) =>
          this.showFailure({
            status:
              (err as { errno?: number }).errno === PRIVACY_NOT_AGREED
                ? privacyRefused('复制数据')
                : '复制失败，请稍后再试',
            error: true,
            canRetry: false,
          }),
      })
    },

    async onDeleteAccount() {
      const content =
        '将永久删除你的账号和全部数据：昵称、头像、手机号，以及所有设备上的登录。删除后无法恢复。' +
        '下次打开小程序时，会自动创建一个新的空账号。'
      if (this.data.busy || !(await confirmed('注销账号', content, '注销'))) return
      await this.act('正在注销…', async () => {
        await auth().account.deleteAccount()
        leave('账号已注销')
      })
    },
  },
})
