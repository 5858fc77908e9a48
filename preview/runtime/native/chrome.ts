/**
 * The phone around the pages: the status bar and WeChat's navigation bar (back arrow, the page's
 * title and colours from app.json's window and the page's JSON, the capsule button).
 */
import type { PageEntry, RouterView } from '../engine/router'

type WindowConfig = Record<string, unknown>

export function createChrome(
  root: HTMLElement,
  appWindow: WindowConfig,
  pageJson: (route: string) => WindowConfig,
  onBack: () => void,
): RouterView & { overlays: HTMLElement } {
  root.innerHTML = `
    <div id="preview-status-bar"><span>9:41</span><span class="preview-battery"></span></div>
    <div id="preview-nav-bar">
      <a id="preview-nav-back" role="button" aria-label="返回"></a>
      <div id="preview-nav-title"></div>
      <div class="preview-capsule"><span>···</span><span class="preview-capsule__close"></span></div>
    </div>
    <div id="preview-pages"></div>
    <div id="preview-overlays"></div>`
  const part = (id: string): HTMLElement => {
    const found = root.querySelector<HTMLElement>(`#${id}`)
    if (!found) throw new Error(`the phone has no #${id}`)
    return found
  }
  const bar = part('preview-nav-bar')
  const statusBar = part('preview-status-bar')
  const back = part('preview-nav-back')
  const title = part('preview-nav-title')
  back.addEventListener('click', onBack)

  const setting = (route: string, key: string): string | undefined => {
    const value = pageJson(route)[key] ?? appWindow[key]
    return typeof value === 'string' ? value : undefined
  }

  return {
    container: part('preview-pages'),
    overlays: part('preview-overlays'),
    titleOf: (route) => setting(route, 'navigationBarTitleText') ?? '',
    update(top: PageEntry, depth: number) {
      title.textContent = top.title
      back.hidden = depth <= 1
      // The status bar above takes the navigation bar's colours, as on a phone.
      const background = setting(top.route, 'navigationBarBackgroundColor') ?? '#000000'
      const text = setting(top.route, 'navigationBarTextStyle') === 'black' ? 'black' : 'white'
      for (const element of [bar, statusBar]) {
        element.style.backgroundColor = background
        element.dataset.text = text
      }
      document.title = top.title
    },
  }
}
