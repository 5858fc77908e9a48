/**
 * What a mini-program user feels, counted exactly: round trips before and while they use the app,
 * and the setData traffic of each user flow. Runs the real app.ts and pages against the real
 * server (emulator inside); writes its numbers to $BENCH_OUT for bench/run.ts to tabulate.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { User } from '../miniprogram/auth/index'
import { API_PATHS } from '../miniprogram/contract'
import { emulatedUser } from '../test/support/emulated-user'
import type { FakeWx } from '../test/support/fake-wx'
import { launchApp, loadPage, openPage, settle, type Rendered } from '../test/support/launch-app'
import { ServerProcess } from '../test/support/server-process'

export interface RoundTrips {
  scenario: string
  goal: string
  wxLogin: number
  loginPosts: number
  otherRequests: number
}

export interface SetDataFlow {
  flow: string
  calls: number
  totalBytes: number
  maxBytes: number
}

jest.setTimeout(120000)

const server = new ServerProcess()
const pages = {
  home: loadPage('pages/index/index'),
  phone: loadPage('pages/phone/index'),
  login: loadPage('pages/login/index'),
}
const roundTrips: RoundTrips[] = []
const setData: SetDataFlow[] = []

beforeAll(() => server.start())
afterAll(async () => {
  await server.dispose()
  fs.writeFileSync(
    process.env.BENCH_OUT ?? path.join(os.tmpdir(), 'bench-client.json'),
    JSON.stringify({ roundTrips, setData }),
  )
})

/** The platform calls of `wx` since `from`, sorted the way the goals are stated. */
function count(wx: FakeWx, from: number) {
  const log = wx.log.slice(from)
  return {
    wxLogin: log.filter((e) => e === 'login').length,
    loginPosts: log.filter((e) => e === 'POST /api/auth/login').length,
    otherRequests: log.filter(
      (e) => /^(GET|POST|PUT|DELETE|UPLOAD) /.test(e) && e !== 'POST /api/auth/login',
    ).length,
  }
}

function tenRequests(app: IAppOption) {
  return Promise.all(
    Array.from({ length: 10 }, () =>
      app.auth.requester.request<{ user: User }>({ path: API_PATHS.me }),
    ),
  )
}

/** setData sizes of every open page, charged to the flow that is running. */
let current: number[] | null = null
const spy = (data: object) => current?.push(Buffer.byteLength(JSON.stringify(data)))

async function flow<T>(name: string, run: () => Promise<T>): Promise<T> {
  const sizes: number[] = []
  current = sizes
  const result = await run()
  current = null
  setData.push({
    flow: name,
    calls: sizes.length,
    totalBytes: sizes.reduce((a, b) => a + b, 0),
    maxBytes: Math.max(0, ...sizes),
  })
  return result
}

async function idle(page: Rendered, trigger: () => void | Promise<void>) {
  const before = page.data.status
  // A trigger that first asks the emulator for what to send (a phone code) has not tapped yet
  // when it returns: settle() would find nothing under way.
  await trigger()
  await settle(() => page.data.busy === false && page.data.status !== before)
}

test('round trips', async () => {
  const { wx } = emulatedUser(server.control)
  const cold = launchApp(wx, { baseUrl: server.url })
  await tenRequests(cold)
  roundTrips.push({
    scenario: 'cold launch, 10 concurrent requests',
    goal: '1, 1, 10',
    ...count(wx, 0),
  })

  const warm = emulatedUser(server.control)
  wx.storage.forEach((value, key) => warm.wx.storage.set(key, value))
  const warmApp = launchApp(warm.wx, { baseUrl: server.url })
  await tenRequests(warmApp)
  roundTrips.push({ scenario: 'warm launch, 10 requests', goal: '0, 0, 10', ...count(warm.wx, 0) })

  const token = warmApp.auth.session.validToken()
  await server.call('POST', API_PATHS.logout, {}, token ?? '')
  const from = warm.wx.log.length
  await tenRequests(warmApp)
  roundTrips.push({
    scenario: 'token dead on the server, 10 requests in flight',
    goal: '1, 1, 20',
    ...count(warm.wx, from),
  })

  warm.wx.privacyAgreed = true
  const page = openPage(pages.phone)
  await settle(() => page.data.ready === true)
  const beforeTap = warm.wx.log.length
  // WeChat's sheet first (the emulator mints the payload): idle() waits for what the tap starts.
  const detail = await warm.wx.phoneDetail()
  await idle(page, () =>
    page.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', { detail }),
  )
  roundTrips.push({ scenario: 'phone tap', goal: '0, 0, 1', ...count(warm.wx, beforeTap) })
})

test('setData per user flow (pages still open in the stack count too)', async () => {
  const { wx } = emulatedUser(server.control)
  wx.privacyAgreed = true
  const app = launchApp(wx, { baseUrl: server.url })
  await flow('home: cold launch until logged in', async () => {
    openPage(pages.home, spy)
    await settle(() => app.auth.session.state.status === 'logged-in')
  })

  const phone = await flow('phone: open until ready', async () => {
    const page = openPage(pages.phone, spy)
    await settle(() => page.data.ready === true)
    return page
  })
  const detail = await wx.phoneDetail()
  await flow('phone: tap until the number shows', () =>
    idle(phone, () =>
      phone.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', { detail }),
    ),
  )

  const login = await flow('login: open until ready', async () => {
    const page = openPage(pages.login, spy)
    await settle(() => page.data.ready === true)
    return page
  })
  const info = await wx.userInfoDetail()
  await flow('login: getUserInfo tap', () =>
    idle(login, () =>
      login.querySelector('#userinfo-btn')!.dispatchEvent('getuserinfo', { detail: info }),
    ),
  )
  const avatar = path.join(os.tmpdir(), `bench-avatar-${process.pid}.png`)
  fs.writeFileSync(avatar, PNG)
  await flow('login: avatar upload', () =>
    idle(login, () =>
      login
        .querySelector('#avatar-btn')!
        .dispatchEvent('chooseavatar', { detail: { avatarUrl: avatar } }),
    ),
  )
  fs.rmSync(avatar)
  await flow('login: nickname save', () =>
    idle(login, () =>
      login
        .querySelector('#profile-form')!
        .dispatchEvent('submit', { detail: { value: { nickName: '小明' } } }),
    ),
  )
})

/** A 1×1 PNG, as chooseAvatar would hand over. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
