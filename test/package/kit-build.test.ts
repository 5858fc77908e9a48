/**
 * @jest-environment node
 *
 * The npm package weapp-login-kit is built from the emulator, the conformance kit and what they
 * share with the server (common/, the contract), and from runtime packages: no module of
 * server/src, no test's file, no dev dependency (scripts/weapp-login-kit/build.ts refuses to build
 * otherwise). esbuild names every file that went in. What it bundles is listed with its license,
 * and its README says what the repository's READMEs say.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  blockSources,
  buildKit,
  outsideKitSources,
  withBlocks,
  type BuiltKit,
} from '../../scripts/weapp-login-kit/build'
import { ROOT } from '../support/script'

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-kit-build-'))
let built: BuiltKit

beforeAll(async () => {
  built = await buildKit(out)
}, 60_000)
afterAll(() => fs.rmSync(out, { recursive: true, force: true }))

it('takes its sources from emulator/, conformance/, common/ and the contract: no server/src, no test folder', () => {
  expect(built.inputs).toContain('emulator/main.ts')
  expect(built.inputs).toContain('conformance/main.ts')
  expect(built.inputs).toContain('miniprogram/contract/index.ts')
  expect(outsideKitSources(built.inputs)).toEqual([])
  expect(built.inputs.filter((input) => /^(server|test)\/|\/test\//.test(input))).toEqual([])
})

it('names what would come from elsewhere, so the build refuses it', () => {
  expect(
    outsideKitSources([
      'emulator/world.ts',
      'server/src/http/errors.ts',
      'conformance/test/support/proxy.ts',
      'common/test/support/official-vectors.ts',
      'test/support/server-process.ts',
      'miniprogram/auth/session.ts',
      'node_modules/fastify/fastify.js',
      'node_modules/ajv/node_modules/fast-uri/index.js',
      'node_modules/tsx/dist/loader.mjs',
      'node_modules/not-in-the-lock/index.js',
      'emulator/node_modules/x/index.js',
    ]),
  ).toEqual([
    'server/src/http/errors.ts',
    'conformance/test/support/proxy.ts',
    'common/test/support/official-vectors.ts',
    'test/support/server-process.ts',
    'miniprogram/auth/session.ts',
    'node_modules/tsx/dist/loader.mjs',
    'node_modules/not-in-the-lock/index.js',
    'emulator/node_modules/x/index.js',
  ])
})

it('bundles the runtime packages at the versions of package-lock.json, each in the notices with its license', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>
  }
  const names = built.bundled.map((bundled) => bundled.name)
  expect(names).toEqual(expect.arrayContaining(['fastify', 'ajv', 'pino']))
  const notices = fs.readFileSync(path.join(out, 'THIRD-PARTY-NOTICES.md'), 'utf8')
  for (const { name, version, license, dir } of built.bundled) {
    expect(lock.packages[dir]?.version).toBe(version)
    expect(notices).toContain(`## ${name} ${version} (${license})\n`)
  }
  expect(notices).toContain('Copyright')
})

it('writes the two commands, the contract, the notices and the README', () => {
  expect(built.files).toEqual([
    'README.md',
    'THIRD-PARTY-NOTICES.md',
    'bin/weapp-login-conformance.js',
    'bin/weapp-login-emulator.js',
    'docs/api.md',
  ])
  for (const bin of ['weapp-login-conformance', 'weapp-login-emulator']) {
    const script = path.join(out, 'bin', `${bin}.js`)
    expect(fs.readFileSync(script, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
  }
  expect(fs.readFileSync(path.join(out, 'docs/api.md'), 'utf8')).toBe(
    fs.readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8'),
  )
})

it("the package README's kit: blocks say what the repository's READMEs say", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'packages/weapp-login-kit/README.md'), 'utf8')
  expect(withBlocks(readme, blockSources())).toBe(readme)
  expect(readme).toContain('WxMaDefaultConfigImpl#setApiHostUrl')
  expect(readme).toContain('| `EMULATOR_PORT`')
  expect(readme).toContain('| `--timeout <s>`')
})

it('refuses a block that no README has, or two have', () => {
  const sources = new Map([
    ['a.md', 'x\n<!-- kit:one -->\nfrom a\n<!-- /kit:one -->\n'],
    ['b.md', '<!-- kit:two -->\nfrom b\n<!-- /kit:two -->\n<!-- kit:one -->\nb\n<!-- /kit:one -->'],
  ])
  const readme = '# r\n\n<!-- kit:two -->\nold\n<!-- /kit:two -->\n'
  expect(withBlocks(readme, sources)).toBe('# r\n\n<!-- kit:two -->\nfrom b\n<!-- /kit:two -->\n')
  expect(() => withBlocks('<!-- kit:one --><!-- /kit:one -->', sources)).toThrow(
    'the block kit:one must be in one of a.md, b.md: in a.md and b.md',
  )
  expect(() => withBlocks('<!-- kit:three --><!-- /kit:three -->', sources)).toThrow(
    'in none of them',
  )
})
