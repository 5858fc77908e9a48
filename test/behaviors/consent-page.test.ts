/**
 * The consentPage behavior on a page of its own, the way any new page with a consent button would
 * use it: declared data, the status line and its 重试, cleanup on close, and the privacy dialog
 * connected to the app's one privacy listener.
 */
import * as simulate from 'miniprogram-simulate'
import { AuthError } from '../../miniprogram/auth/index'
import { consentPage } from '../../miniprogram/behaviors/consent-page'
import { useFakeBackend } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import { exists, launchApp, loadPage, type Rendered, settle, text } from '../support/launch-app'
import { flush } from '../support/virtual-clock'

const backend = useFakeBackend()
const dialogId = loadPage('components/privacy-dialog/index')
const pageId = simulate.load({
  behaviors: [consentPage],
  usingComponents: { 'privacy-dialog': dialogId },
  template: `
    <view id="status">{{status}}</view>
    <button id="retry-btn" wx:if="{{canRetry}}" bindtap="onRetry">重试</button>
    <privacy-dialog
      id="privacy-dialog"
      visible="{{privacyVisible}}"
      contract-name="{{privacyContractName}}"
      bind:agree="onPrivacyAgree"
      bind:disagree="onPrivacyDisagree"
      bind:opencontract="onPrivacyContract"
    />`,
})

type Page = Rendered & {
  instance: {
    showFailure(
      line: { status: string; error: boolean; canRetry: boolean },
      retry?: () => Promise<void>,
    ): void
    prepareButton(flow: { prepare(): Promise<void> }): Promise<void>
    untilDetached(cleanup: () => void): void
  }
}

let wx: FakeWx

beforeEach(() => {
  wx = new FakeWx({ sdkVersion: '3.4.0' })
  launchApp(wx, { baseUrl: backend.url })
})

function open(): Page {
  const page = simulate.render(pageId) as Page
  page.attach(document.createElement('parent-wrapper'))
  return page
}

it('declares the data every consent page shares, with their starting values', () => {
  expect(open().data).toMatchObject({
    status: '',
    error: false,
    canRetry: false,
    busy: false,
    unspent: false,
    ready: false,
    privacyVisible: false,
    privacyContractName: '隐私保护指引',
  })
})

it('offers 重试 for a failure that a retry can help, and runs it once', async () => {
  const page = open()
  const retry = jest.fn(async () => undefined)
  page.instance.showFailure(
    { status: '网络连接失败，请检查网络后重试', error: true, canRetry: true },
    retry,
  )
  expect(text(page, '#status')).toBe('网络连接失败，请检查网络后重试')
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  await flush()
  expect(retry).toHaveBeenCalledTimes(1)
})

it('offers no 重试 where it cannot help', () => {
  const page = open()
  page.instance.showFailure(
    { status: '昵称需为 1 到 32 个字', error: true, canRetry: false },
    jest.fn(),
  )
  expect(exists(page, '#retry-btn')).toBe(false)
})

it('readies the button: ready once prepared; a failure says why, and 重试 prepares again', async () => {
  const page = open()
  let fails = 1
  const flow = {
    prepare: jest.fn(async () => {
      if (fails-- > 0) throw new AuthError('NETWORK_ERROR', 'request:fail offline')
    }),
  }
  await page.instance.prepareButton(flow)
  expect(page.data).toMatchObject({
    ready: false,
    status: '网络连接失败，请检查网络后重试',
    canRetry: true,
  })
  page.querySelector('#retry-btn')!.dispatchEvent('tap')
  await settle(() => page.data.ready === true)
  expect(page.data).toMatchObject({ status: '', error: false, canRetry: false })
  expect(flow.prepare).toHaveBeenCalledTimes(2)
})

it('lets go of what the page subscribed to when it closes, once', () => {
  const page = open()
  const cleanup = jest.fn()
  page.instance.untilDetached(cleanup)
  expect(cleanup).not.toHaveBeenCalled()
  page.detach()
  expect(cleanup).toHaveBeenCalledTimes(1)
})

it('connects its dialog to the app’s privacy listener: shown when WeChat asks, agree resolves it', async () => {
  const page = open()
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => page.data.privacyContractName === '示例小程序隐私保护指引')
  const dialog = page.querySelector('#privacy-dialog')!
  expect(dialog.data).toMatchObject({ visible: true, contractName: '示例小程序隐私保护指引' })
  dialog.querySelector('#privacy-agree')!.dispatchEvent('agreeprivacyauthorization')
  await expect(gate).resolves.toBe(true)
  expect(wx.privacyEvents.at(-1)).toEqual({ event: 'agree', buttonId: 'privacy-agree' })
  expect(page.data.privacyVisible).toBe(false)
  expect(dialog.data.visible).toBe(false)
})

it('the guideline link opens WeChat’s page of it; disagree resolves the waiting call as refused', async () => {
  const page = open()
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => page.data.privacyVisible === true)
  const dialog = page.querySelector('#privacy-dialog')!
  dialog.querySelector('#privacy-contract')!.dispatchEvent('tap')
  await settle(() => wx.contractOpened === 1)
  dialog.querySelector('#privacy-disagree')!.dispatchEvent('tap')
  await expect(gate).resolves.toBe(false)
  expect(page.data.privacyVisible).toBe(false)
})
