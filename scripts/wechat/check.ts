/**
 * `npm run wechat-check [-- <project folder>]`: compiles the mini-program with WeChat's own
 * compiler and project.config.json's settings, as DevTools does before an upload, then runs
 * DevTools' code-quality check (代码质量). Offline, no account. Exit code 0 only when the compile
 * succeeds and every quality check passes.
 *
 * What it adds to tsc and the simulate tests: app.json, page and usingComponents resolution, JSON
 * syntax, a TypeScript file that does not parse, a WXML tag that does not close (caught only with
 * minifyWXML on). What it does not do: type-check (it strips types; tsc does that).
 */
import * as path from 'node:path'
import * as ci from 'miniprogram-ci'
import { describeError, flags, run, silencePackageLogs } from './cli'
import { refuseNetwork } from './no-network'
import { COMPILE_SETTING, offlineProject } from './project'
import { ROOT } from './project-config'

const COMMAND = 'npm run wechat-check'
const out = (line: string) => process.stdout.write(`${line}\n`)

async function check(projectPath: string): Promise<number> {
  silencePackageLogs()
  const network = await refuseNetwork()
  const project = offlineProject(projectPath)
  let failed = false

  out(`WeChat's compiler (miniprogram-ci) on ${projectPath}`)
  try {
    const files = await ci.getCompiledResult({
      project,
      version: '0.0.0',
      setting: COMPILE_SETTING,
    })
    out(`compile: ok, ${Object.keys(files).length} files`)
  } catch (error) {
    failed = true
    out(`compile: FAILED\n  ${describeError(error).split('\n').join('\n  ')}`)
  }

  const checks = await ci.checkCodeQuality(project)
  const passed = checks.filter((item) => item.success)
  out(`code quality: ${passed.length} of ${checks.length} pass`)
  for (const item of checks) {
    out(item.success ? `  ✓ ${item.name}` : `  ✗ ${item.name}: ${item.text} (${item.docURL})`)
  }
  if (passed.length !== checks.length) failed = true

  await network.close()
  out(`network: none (refused: ${network.refused.join(', ') || 'nothing tried'})`)
  return failed ? 1 : 0
}

const { positionals } = flags(COMMAND, {}, true)
run(COMMAND, () => check(path.resolve(positionals[0] ?? ROOT)))
