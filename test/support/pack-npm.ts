/**
 * DevTools' 构建npm for a project whose package.json sits at its root (`<project>`), into its
 * miniprogramRoot (`<dist>`): miniprogram-ci's packNpmManually, offline, with no AppID or key.
 * `node --import tsx test/support/pack-npm.ts <project> <dist>` prints what it reports, as JSON.
 */
import * as path from 'node:path'
import { run, silencePackageLogs } from '../../scripts/wechat/cli'

const [project, dist] = process.argv.slice(2)
silencePackageLogs()
run('构建npm', async () => {
  // Loaded only now, once silenced: it greets the console as it loads.
  const ci = await import('miniprogram-ci')
  const result = await ci.packNpmManually({
    packageJsonPath: path.join(project, 'package.json'),
    miniprogramNpmDistDir: dist,
  })
  process.stdout.write(`${JSON.stringify(result)}\n`)
  return 0
})
