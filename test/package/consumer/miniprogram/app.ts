import { createAuth, createConfig, type AuthApp } from 'weapp-login'

App<AuthApp>({
  auth: createAuth(
    createConfig({
      baseUrls: {
        // The test writes the reference server's address here.
        develop: 'http://127.0.0.1:3000',
        trial: 'https://trial-api.consumer.test',
        release: 'https://api.consumer.test',
      },
    }),
  ),
  onLaunch() {
    this.auth.privacy.install()
    this.auth.session.start()
  },
})
