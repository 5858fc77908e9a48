/**
 * 账号与安全: the user's own account. The phone number unbound, every device logged out, what is
 * held shown and copied, the account closed (注销): each through auth.account, WeChat's modal first
 * where it cannot be undone, the outcome on the status line with 重试 where that helps. After
 * 退出所有设备 or 注销 the app goes back to the anonymous home page.
 */
import { toAuthError, type AccountExport } from '../../auth/index'
import { WX_ERRNO } from '../../auth/errno'
import { consentPage } from '../../behaviors/consent-page'
import { formatTime, maskPhone } from '../../utils/format'
import { failure, privacyRefused } from '../../utils/messages'

const auth = () => getApp<IAppOption>().auth
const WARN = '#c93030'
/** What is held, a line each: shown in WeChat's modal, and copied as it reads. */
function heldLines(held: AccountExport): string {
  const { user, sessions } = held
  const since = sessions.since ? `，最早 ${formatTime(sessions.since)}` : ''
  return [
    `用户编号：${user.id}`,
    `昵称：${user.nickName || '未设置'}`,
    `头像：${user.avatarUrl || '未设置'}`,
    `手机号：${user.phoneNumber || '未绑定'}`,
    `UnionID：${held.unionid || '无'}`,
    `注册时间：${formatTime(held.createdAt)}`,
    `最近登录：${held.lastLoginAt ? formatTime(held.lastLoginAt) : '未记录'}`,
    `登录设备：${sessions.open} 台${since}`,
    `导出时间：${formatTime(held.exportedAt)}`,
  ].join('\n')
}

/** WeChat's modal (in the warn colour unless `plain`): resolves true when the user confirms. */
function confirmed(title: string, content: string, confirmText: string, plain = false) {
  return new Promise<boolean>((resolve) => {
    wx.showModal({
      title,
      content,
      confirmText,
      confirmColor: plain ? undefined : WARN,
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
  data: { maskedPhone: '' },
  lifetimes: {
    attached() {
      const { user } = auth().session
      this.setData({ maskedPhone: user && user.phoneNumber ? maskPhone(user.phoneNumber) : '' })
    },
  },
  methods: {
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
      const content = '解绑后不能再用这个号码找回账号，需要时可以重新绑定。'
      if (this.data.busy || !(await confirmed('解绑手机号', content, '解绑'))) return
      await this.act('正在解绑…', async () => {
        await auth().account.unbindPhone()
        this.setData({ busy: false, status: '手机号已解绑', maskedPhone: '' })
      })
    },

    async onLogoutAll() {
      const content = '所有设备（包括这台手机）都将退出登录。'
      if (this.data.busy || !(await confirmed('退出所有设备', content, '退出'))) return
      await this.act('正在退出…', async () => {
        await auth().account.logoutAll()
        leave('已退出所有设备')
      })
    },

    /** What is held, in WeChat's modal; its 复制 copies it. */
    async onExport() {
      if (this.data.busy) return
      await this.act('正在读取…', async () => {
        const text = heldLines(await auth().account.exportData())
        this.setData({ busy: false, status: '' })
        if (await confirmed('我的数据', text, '复制', true)) this.copy(text)
      })
    },

    /** wx.setClipboardData is privacy-covered: the page's dialog asks first if need be. */
    copy(text: string) {
      wx.setClipboardData({
        data: text,
        success: () => this.setData({ status: '已复制，可以粘贴保存' }),
        fail: (err) =>
          this.showFailure({
            status:
              (err as { errno?: number }).errno === WX_ERRNO.PRIVACY_NOT_AGREED
                ? privacyRefused('复制数据')
                : '复制失败，请稍后再试',
            error: true,
            canRetry: false,
          }),
      })
    },

    async onDeleteAccount() {
      const content =
        '将永久删除你的昵称、头像、手机号，所有设备退出登录，且无法恢复。' +
        '下次打开小程序会创建一个新的空账号。'
      if (this.data.busy || !(await confirmed('注销账号', content, '注销'))) return
      await this.act('正在注销…', async () => {
        await auth().account.deleteAccount()
        leave('账号已注销')
      })
    },
  },
})
