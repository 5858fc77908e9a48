/**
 * The npm package weapp-login as another team meets it. `npm publish --dry-run` lists only what a
 * user needs; the tarball `npm pack` makes installs into a mini-program written for this test
 * (test/package/consumer: an app.ts that creates the auth and logs in silently, a page whose phone
 * button runs on the package's consentPage Behavior, with the package's privacy dialog); DevTools'
 * 构建npm (miniprogram-ci's packNpmManually, offline, no AppID or key) copies it into
 * miniprogram_npm; WeChat's compiler builds the project as `npm run wechat-check` does; tsc checks
 * it against the package's types alone; and under miniprogram-simulate, against the reference
 * server, it logs in silently and binds a phone number.
 */
import type { ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as simulate from 'miniprogram-simulate'
import type { AuthApp, User } from '../../miniprogram/weapp-login'
import { emulatedUser } from '../support/emulated-user'
import { pack, publishedFiles, succeed } from '../support/npm-package'
import { launch, openPage, settle, text } from '../support/launch-app'
import { ROOT, runCommand, runScript, type ScriptResult } from '../support/script'
import { builtInEmulatorOf, callServer, startListening } from '../support/server-process'

// Two miniprogram-ci runs and a tsc run, on a machine other suites share.
jest.setTimeout(180_000)

const PACKAGE = path.join(ROOT, 'packages/weapp-login')
const FIXTURE = path.join(__dirname, 'consumer')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-consumer-'))
const consumer = path.join(work, 'consumer')
const miniprogram = path.join(consumer, 'miniprogram')

let server: { child: ChildProcess; url: string }
let published: string[]
let packed: { miniProgramPackNum: number; otherNpmPackNum: number; warnList: unknown[] }
let compiled: ScriptResult
let typeChecked: ScriptResult
let installed: string[]

beforeAll(async () => {
  // Publishing builds the package (prepack); packing then takes that build as it is.
  ;[server, published] = await Promise.all([
    startListening('test/support/start-server.ts', {}, path.join(work, 'server.log')),
    publishedFiles(PACKAGE),
  ])
  const tarball = await pack(PACKAGE, work)

  fs.cpSync(FIXTURE, consumer, { recursive: true })
  const app = path.join(miniprogram, 'app.ts')
  fs.writeFileSync(
    app,
    fs
      .readFileSync(app, 'utf8')
      .replace("develop: 'http://127.0.0.1:3000'", `develop: '${server.url}'`),
  )
  await succeed('npm', ['install', tarball], consumer)
  // The one other package a TypeScript mini-program has: WeChat's official typings.
  fs.symlinkSync(
    path.join(ROOT, 'node_modules/miniprogram-api-typings'),
    path.join(consumer, 'node_modules/miniprogram-api-typings'),
    'dir',
  )
  installed = fs.readdirSync(path.join(consumer, 'node_modules')).sort()

  packed = JSON.parse(
    await succeed(
      process.execPath,
      ['--import', 'tsx', 'test/support/pack-npm.ts', consumer, miniprogram],
      ROOT,
    ),
  )
  ;[compiled, typeChecked] = await Promise.all([
    runScript('scripts/wechat/check.ts', [consumer]),
    runCommand(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer],
      consumer,
    ),
  ])
  // From here on, what runs is what 构建npm copied, as on a phone: node_modules is gone.
  fs.rmSync(path.join(consumer, 'node_modules'), { recursive: true })
})

afterAll(async () => {
  if (server) {
    await new Promise<void>((resolve) => {
      server.child.once('exit', () => resolve())
      server.child.kill('SIGTERM')
    })
  }
  fs.rmSync(work, { recursive: true, force: true })
})

/** The files a folder holds, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort()
}

const MINIPROGRAM_FILES = [
  'index.js',
  'privacy-dialog/index.js',
  'privacy-dialog/index.json',
  'privacy-dialog/index.wxml',
  'privacy-dialog/index.wxss',
]

it('npm publish --dry-run lists only what a user needs: the built JS, its component, its types, the docs', () => {
  const types = filesUnder(path.join(PACKAGE, 'types')).map((file) => `types/${file}`)
  expect(published).toEqual(
    [
      'CHANGELOG.md',
      'README.md',
      'package.json',
      ...MINIPROGRAM_FILES.map((file) => `miniprogram_dist/${file}`),
      ...types,
    ].sort(),
  )
  expect(types).toContain('types/weapp-login.d.ts')
  expect(types.every((file) => file.endsWith('.d.ts'))).toBe(true)
})

it('构建npm copies the package into miniprogram_npm/weapp-login: its JS and its component, no types', () => {
  expect(packed).toEqual({ miniProgramPackNum: 1, otherNpmPackNum: 0, warnList: [] })
  expect(filesUnder(path.join(miniprogram, 'miniprogram_npm/weapp-login'))).toEqual(
    MINIPROGRAM_FILES,
  )
})

it("compiles with WeChat's compiler and passes DevTools' code-quality checks, as npm run wechat-check does", () => {
  expect(compiled.stderr).toBe('')
  expect(compiled.stdout).toContain('compile: ok')
  expect(compiled.stdout).toMatch(/code quality: (\d+) of \1 pass/)
  expect(compiled.code).toBe(0)
})

it("type-checks with the package's types and WeChat's official typings alone", () => {
  expect(installed).toEqual(['.package-lock.json', 'miniprogram-api-typings', 'weapp-login'])
  expect(typeChecked.stdout + typeChecked.stderr).toBe('')
  expect(typeChecked.code).toBe(0)
})

it('logs in silently at launch, then binds a phone number through the privacy dialog', async () => {
  // 2.32.3: privacy interception, but no combined button, so the package's dialog asks.
  const { wx } = emulatedUser(builtInEmulatorOf(server.url), '2.32.3')
  const app = launch<AuthApp>(wx, path.join(miniprogram, 'app'))
  await settle(() => app.auth.session.state.status === 'logged-in')
  expect(wx.count('login')).toBe(1)

  // As WeChat resolves a component of an npm package: under miniprogram_npm at the root.
  const phone = simulate.load(path.join(miniprogram, 'pages/phone/index'), {
    rootPath: miniprogram,
    usingComponents: { 'privacy-dialog': '/miniprogram_npm/weapp-login/privacy-dialog/index' },
  })
  const page = openPage(phone)
  await settle(() => page.data.ready === true)

  const asked = wx.privacyGate('button.getPhoneNumber')
  const dialog = page.querySelector('#privacy-dialog')!
  await settle(() => dialog.data.visible === true)
  dialog.querySelector('#privacy-agree')!.dispatchEvent('agreeprivacyauthorization')
  expect(await asked).toBe(true)
  page.querySelector('#phone-btn')!.dispatchEvent('getphonenumber', {
    detail: await wx.phoneDetail(),
  })
  await settle(() => page.data.phoneNumber !== '')

  expect(text(page, '#phone-number')).toBe('13800138000')
  expect(text(page, '#status')).toBe('手机号已绑定')
  const token = app.auth.session.validToken()!
  expect(
    (await callServer<{ user: User }>(server.url, 'GET', '/api/me', undefined, token)).user
      .phoneNumber,
  ).toBe('13800138000')
})
