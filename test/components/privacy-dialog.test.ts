/**
 * The privacy dialog on its own, as a page uses it: properties in, events out. No app is launched
 * in this file, so a dialog reaching for getApp() would fail here.
 */
import * as simulate from 'miniprogram-simulate'
import { flush } from '../support/virtual-clock'
import { exists, loadPage, type Rendered, text } from '../support/launch-app'

const dialogId = loadPage('components/privacy-dialog/index')

/** The dialog on screen, with what its page passes, and the events it tells its page. */
function renderDialog(properties: { visible: boolean; contractName?: string }) {
  const dialog = simulate.render(dialogId, properties) as Rendered
  dialog.attach(document.createElement('parent-wrapper'))
  const events: string[] = []
  const listen = dialog as unknown as {
    addEventListener(name: string, handler: (e: { detail: unknown }) => void): void
  }
  for (const name of ['agree', 'disagree', 'opencontract']) {
    listen.addEventListener(name, (e) =>
      events.push(e.detail === undefined ? name : `${name} ${JSON.stringify(e.detail)}`),
    )
  }
  return { dialog, events }
}

it('shows nothing until its page makes it visible', () => {
  const { dialog } = renderDialog({ visible: false })
  expect(exists(dialog, '#privacy-agree')).toBe(false)
  dialog.setData({ visible: true })
  expect(exists(dialog, '#privacy-agree')).toBe(true)
  expect(exists(dialog, '#privacy-disagree')).toBe(true)
})

it('names the guideline its page passes, or a plain name when none is known yet', () => {
  expect(text(renderDialog({ visible: true }).dialog, '#privacy-contract')).toBe('《隐私保护指引》')
  const { dialog } = renderDialog({ visible: true, contractName: '示例小程序隐私保护指引' })
  expect(text(dialog, '#privacy-contract')).toBe('《示例小程序隐私保护指引》')
})

it('agree: tells its page, with the id of the agree button WeChat saw tapped', async () => {
  const { dialog, events } = renderDialog({ visible: true })
  const agree = dialog.querySelector('#privacy-agree')!
  expect(agree.toJSON().attrs).toContainEqual({
    name: 'openType',
    value: 'agreePrivacyAuthorization',
  })
  agree.dispatchEvent('agreeprivacyauthorization')
  await flush()
  expect(events).toEqual(['agree {"buttonId":"privacy-agree"}'])
})

it('disagree and the guideline link: tells its page, and decides nothing itself', async () => {
  const { dialog, events } = renderDialog({ visible: true })
  dialog.querySelector('#privacy-contract')!.dispatchEvent('tap')
  dialog.querySelector('#privacy-disagree')!.dispatchEvent('tap')
  await flush()
  expect(events).toEqual(['opencontract', 'disagree'])
  // Closing is the page's call, once every waiting privacy call is answered.
  expect(exists(dialog, '#privacy-agree')).toBe(true)
})
