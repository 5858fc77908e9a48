/**
 * The home page: the login state as it changes, the profile and the masked phone number.
 * A warm start shows the stored profile at once, then refreshes it from the backend.
 */
import type { AuthState } from '../../auth/index'
import { subscriptions } from '../../behaviors/subscriptions'
import { changed } from '../../utils/diff'
import { maskPhone } from '../../utils/format'
import { canRetry, errorMessage, STATE_TEXT } from '../../utils/messages'

const auth = () => getApp<IAppOption>().auth

Component({
  behaviors: [subscriptions],
  data: {
    status: 'anonymous' as AuthState['status'],
    stateText: STATE_TEXT.anonymous as string,
    nickName: '',
    avatarUrl: '',
    maskedPhone: '',
    message: '',
    canRetry: false,
    /** A user is held (a token this run can send), whatever the state says beside it. */
    signedIn: false,
  },
  lifetimes: {
    attached() {
      const { session, profile } = auth()
      if (session.validToken() !== null) {
        // Also the first business request: a token revoked on the server is noticed here.
        profile.refresh().catch(() => undefined)
      }
      this.untilDetached(session.subscribe((state) => this.show(state)))
    },
  },
  methods: {
    show(state: AuthState) {
      // While a forced login runs or after one failed, or with the session unsaved, the user held
      // in memory still signs the requests: the profile and the links stay.
      const user =
        state.status === 'logged-in'
          ? state.user
          : state.status === 'anonymous'
            ? null
            : auth().session.user
      const patch = changed(this.data, {
        status: state.status,
        signedIn: user !== null,
        stateText: STATE_TEXT[state.status],
        nickName: user && user.nickName ? user.nickName : '',
        avatarUrl: user && user.avatarUrl ? user.avatarUrl : '',
        maskedPhone: user && user.phoneNumber ? maskPhone(user.phoneNumber) : '',
        message: state.status === 'error' ? errorMessage(state.error) : '',
        canRetry: state.status === 'error' && canRetry(state.error),
      })
      if (patch) this.setData(patch)
    },

    /** Login and retry alike: a failure shows up through the subscription as the error state. */
    onLogin() {
      auth()
        .session.login()
        .catch(() => undefined)
    },

    /** Logging out is not undone by a tap: WeChat's confirmation first, in the warn colour. */
    onLogout() {
      wx.showModal({
        title: '退出登录',
        content: '退出后，再次使用需要重新登录',
        confirmText: '退出登录',
        confirmColor: '#c93030',
        success: (res) => {
          if (res.confirm) auth().session.logout()
        },
      })
    },
  },
})
