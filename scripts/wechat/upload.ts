/**
 * `npm run upload [-- --version 1.2.3 --desc "…"]`: compiles the mini-program as the offline check
 * does and uploads it as a development version (then 版本管理 → 提交审核 in the admin console).
 * The version defaults to package.json's. Needs WECHAT_APPID and WECHAT_UPLOAD_KEY (account.ts),
 * and refuses while the release build's backend is a placeholder or not HTTPS (release.ts).
 */
import { accountOrExit } from './account'
import { flags, run } from './cli'
import { packageVersion } from './project-config'
import { releaseRefusal } from './release'

const COMMAND = 'npm run upload'
const { values } = flags(COMMAND, { version: { type: 'string' }, desc: { type: 'string' } })
const refusal = releaseRefusal(COMMAND)
const account = accountOrExit(COMMAND, refusal === null ? [] : [refusal])

run(COMMAND, async () => {
  // Loaded only now: miniprogram-ci takes seconds to load, and a refusal should not wait for it.
  const ci = await import('miniprogram-ci')
  const { COMPILE_SETTING, accountProject } = await import('./project')
  const version = values.version ?? packageVersion()
  const result = await ci.upload({
    project: accountProject(account),
    version,
    desc: values.desc,
    setting: COMPILE_SETTING,
  })
  const sizes = (result.subPackageInfo ?? []).map(({ name, size }) => `${name} ${size} B`)
  process.stdout.write(`uploaded ${version} for ${account.appid}: ${sizes.join(', ')}\n`)
  return 0
})
