/**
 * @jest-environment node
 *
 * The npm package is built from miniprogram/ and nothing else: no module of the server, no test's
 * support file, not even this app's typings/ (scripts/weapp-login/build.ts refuses to build
 * otherwise). esbuild and tsc name every file that went in.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { buildPackage, outsideSources, type Built } from '../../scripts/weapp-login/build'

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-build-'))
let built: Built

beforeAll(async () => {
  built = await buildPackage(out)
}, 60_000)
afterAll(() => fs.rmSync(out, { recursive: true, force: true }))

it('takes every file from miniprogram/: no server/src, no test folder, no typings/', () => {
  expect(built.inputs.length).toBeGreaterThan(0)
  expect(outsideSources(built.inputs)).toEqual([])
  expect(built.inputs).toContain('miniprogram/weapp-login.ts')
  expect(built.inputs).toContain('miniprogram/components/privacy-dialog/index.wxml')
})

it('names what would come from elsewhere, so the build refuses it', () => {
  expect(
    outsideSources([
      'miniprogram/auth/index.ts',
      'server/src/crypto.ts',
      'test/support/fake-wx.ts',
      'typings/index.d.ts',
      'miniprogram/node_modules/x/index.js',
    ]),
  ).toEqual([
    'server/src/crypto.ts',
    'test/support/fake-wx.ts',
    'typings/index.d.ts',
    'miniprogram/node_modules/x/index.js',
  ])
})
