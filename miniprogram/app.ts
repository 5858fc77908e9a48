import { createAuth, createConfig } from './auth/index'
import { BASE_URLS } from './config'

App<IAppOption>({
  globalData: {},
  auth: createAuth(createConfig({ baseUrls: BASE_URLS })),
  onLaunch() {
    // The one privacy listener of the app; pages only attach their dialog to it.
    this.auth.privacy.install()
    // Silent login: no button, no popup. A stored, unexpired token makes this a no-op.
    this.auth.session.start()
  },
})
