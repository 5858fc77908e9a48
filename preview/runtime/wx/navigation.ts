/** wx's route APIs on the preview's page stack. */
import { RouteError, type Router } from '../engine/router'
import { WxFailure, api } from './callbacks'

function run(action: () => void): Record<string, never> {
  try {
    action()
  } catch (error) {
    if (error instanceof RouteError) throw new WxFailure(error.message)
    throw error
  }
  return {}
}

export function navigationApis(router: Router) {
  return {
    navigateTo: api('navigateTo', ({ url }: { url: string }) => run(() => router.navigateTo(url))),
    redirectTo: api('redirectTo', ({ url }: { url: string }) => run(() => router.redirectTo(url))),
    reLaunch: api('reLaunch', ({ url }: { url: string }) => run(() => router.reLaunch(url))),
    navigateBack: api('navigateBack', ({ delta }: { delta?: number }) =>
      run(() => router.navigateBack(delta)),
    ),
    switchTab: api('switchTab', () => {
      throw new WxFailure('the app has no tabBar')
    }),
  }
}
