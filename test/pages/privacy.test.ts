import { useFakeBackend } from '../support/fake-backend'
import { FakeWx } from '../support/fake-wx'
import {
  attr,
  launchApp,
  loadPage,
  openPage,
  openReady,
  type Rendered,
  settle,
  text,
} from '../support/launch-app'

const backend = useFakeBackend()
const phonePage = loadPage('pages/phone/index')
const homePage = loadPage('pages/index/index')
let wx: FakeWx

beforeEach(() => {
  // The last base library with the privacy APIs but without the combined open-type.
  wx = new FakeWx({ sdkVersion: '2.32.3' })
})

function open(): Promise<Rendered> {
  return openReady(wx, backend.url, phonePage)
}

function dialog(page: Rendered) {
  const node = page.querySelector('#privacy-dialog')
  if (!node) throw new Error('the page has no privacy dialog')
  return node
}

/**
 * A tap on the phone button before the user agreed: WeChat holds it and asks the app; the user
 * answers in the dialog; then the button's callback fires — with the number, or with errno 104.
 */
async function tapAndAnswer(page: Rendered, answer: 'agree' | 'disagree'): Promise<boolean> {
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => dialog(page).data.visible === true)
  dialog(page)
    .querySelector(answer === 'agree' ? '#privacy-agree' : '#privacy-disagree')!
    .dispatchEvent(answer === 'agree' ? 'agreeprivacyauthorization' : 'tap')
  const agreed = await gate
  const detail = agreed
    ? await wx.phoneDetail()
    : { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }
  page.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', { detail })
  await settle(() => page.data.status !== '' && page.data.busy === false)
  return agreed
}

it('registers exactly one onNeedPrivacyAuthorization listener for the whole app', async () => {
  await open()
  openPage(phonePage)
  openPage(homePage)
  expect(wx.privacyRegistrations).toBe(1)
})

it('agree: the dialog shows the guideline, resolves with the agree button id, the number follows', async () => {
  const page = await open()
  expect(attr(page, '#phone-btn', 'openType')).toBe('getPhoneNumber')
  expect(await tapAndAnswer(page, 'agree')).toBe(true)
  expect(wx.privacyEvents).toEqual([
    { event: 'exposureAuthorization' },
    { event: 'agree', buttonId: 'privacy-agree' },
  ])
  expect(text(page, '#phone-number')).toBe('138****8000')
  expect(dialog(page).data.visible).toBe(false)
})

it('shows the guideline’s name and opens it from the link', async () => {
  const page = await open()
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => dialog(page).data.contractName === '示例小程序隐私保护指引')
  expect(text(dialog(page), '#privacy-contract')).toBe('《示例小程序隐私保护指引》')
  dialog(page).querySelector('#privacy-contract')!.dispatchEvent('tap')
  await settle(() => wx.contractOpened === 1)
  dialog(page).querySelector('#privacy-disagree')!.dispatchEvent('tap')
  await gate
})

it('disagree: resolves disagree, a clear message, and no phone request', async () => {
  const page = await open()
  expect(await tapAndAnswer(page, 'disagree')).toBe(false)
  expect(wx.privacyEvents.at(-1)).toEqual({ event: 'disagree' })
  expect(text(page, '#status')).toBe('需要先同意隐私保护指引，才能获取手机号')
  expect(backend.count('POST /api/auth/phone')).toBe(0)
})

it('a page closed with the question open releases the waiting call (disagree), nothing hangs', async () => {
  const page = await open()
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => dialog(page).data.visible === true)
  page.detach()
  await expect(gate).resolves.toBe(false)
})

it('when the page that asked closes, the page below asks instead; nothing is left waiting', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  await settle(() => app.auth.session.state.status === 'logged-in')
  const below = openPage(phonePage)
  const top = openPage(phonePage)
  const gate = wx.privacyGate('button.getPhoneNumber')
  await settle(() => dialog(top).data.visible === true)
  expect(dialog(below).data.visible).toBe(false)
  top.detach()
  await settle(() => dialog(below).data.visible === true)
  dialog(below).querySelector('#privacy-agree')!.dispatchEvent('agreeprivacyauthorization')
  await expect(gate).resolves.toBe(true)
})

it('with no page able to ask (no dialog on screen), answers disagree at once', async () => {
  const app = launchApp(wx, { baseUrl: backend.url })
  await settle(() => app.auth.session.state.status === 'logged-in')
  openPage(homePage)
  await expect(wx.privacyGate('wx.getClipboardData')).resolves.toBe(false)
})

it('from 2.33.1 the phone button is also the agree button: one tap agrees and asks', async () => {
  wx.sdkVersion = '3.4.0'
  const page = await open()
  expect(attr(page, '#phone-btn', 'openType')).toBe('getPhoneNumber|agreePrivacyAuthorization')
  // A privacy API elsewhere was waiting: the combined button's agreement releases it too.
  const gate = wx.privacyGate('wx.getClipboardData')
  page.querySelector('#phone-btn')!.dispatchEvent('agreeprivacyauthorization')
  await expect(gate).resolves.toBe(true)
  expect(wx.privacyEvents.at(-1)).toEqual({ event: 'agree', buttonId: 'phone-btn' })
})

it('below 2.32.3 there is no privacy API: no listener, no dialog, a plain phone button', async () => {
  wx.sdkVersion = '2.30.0'
  const page = await open()
  expect(wx.privacyRegistrations).toBe(0)
  expect(attr(page, '#phone-btn', 'openType')).toBe('getPhoneNumber')
  page
    .querySelector('#phone-btn')!
    .dispatchEvent('getphonenumber', { detail: await wx.phoneDetail() })
  await settle(() => page.data.done === true)
  expect(dialog(page).data.visible).toBe(false)
})
