/**
 * The mini-program compiled as WeChat DevTools compiles it before an upload — miniprogram-ci with
 * project.config.json's settings — and DevTools' code-quality panel (代码质量), offline, through
 * `npm run wechat-check`. It catches what tsc and the simulate tests cannot see as DevTools does;
 * the last two tests show it does fail when a file would not compile.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ROOT, runScript } from '../support/script'

// A real compile of every file, three times, on a machine other suites share. One at a time:
// miniprogram-ci fails a compile whose compiler process is not ready within 20 s.
jest.setTimeout(300_000)

const CHECK = 'scripts/wechat/check.ts'
const copies: string[] = []

/** The project (project.config.json and miniprogram/) in a temporary folder, one file changed. */
function copyWith(file: string, change: (source: string) => string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-check-'))
  copies.push(copy)
  fs.copyFileSync(path.join(ROOT, 'project.config.json'), path.join(copy, 'project.config.json'))
  fs.cpSync(path.join(ROOT, 'miniprogram'), path.join(copy, 'miniprogram'), { recursive: true })
  const target = path.join(copy, 'miniprogram', file)
  const source = fs.readFileSync(target, 'utf8')
  const changed = change(source)
  expect(changed).not.toBe(source)
  fs.writeFileSync(target, changed)
  return copy
}

afterAll(() => {
  for (const copy of copies) fs.rmSync(copy, { recursive: true, force: true })
})

it("compiles with project.config.json's settings and passes 11 of 11 code-quality checks", async () => {
  const { code, stdout, stderr } = await runScript(CHECK)
  expect(stderr).toBe('')
  expect(stdout).toContain('compile: ok')
  expect(stdout).toContain('code quality: 11 of 11 pass')
  expect(stdout).toContain('✓ WXML_COMPRESS_OPEN')
  expect(stdout).toContain('✓ WXSS_COMPRESS_OPEN')
  // the extension whitelist, the one call a local compile makes, never leaves the machine
  expect(stdout).toContain('network: none (refused: servicewechat.com:443)')
  expect(code).toBe(0)
})

it('fails on a WXML tag that does not close', async () => {
  const copy = copyWith('pages/index/index.wxml', (wxml) => wxml.replace('</view>', '</vew>'))
  const { code, stdout } = await runScript(CHECK, [copy])
  expect(stdout).toMatch(
    /compile: FAILED\n {2}pages\/index\/index\.wxml: .*unexpected end tag: vew/,
  )
  expect(code).toBe(1)
})

it('fails on a TypeScript file that does not parse', async () => {
  const copy = copyWith('app.ts', (ts) => `${ts}\nconst broken = (\n`)
  const { code, stdout } = await runScript(CHECK, [copy])
  expect(stdout).toMatch(/compile: FAILED\n {2}file: app\.ts\n.*Unexpected token/)
  expect(code).toBe(1)
})
