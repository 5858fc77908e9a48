/**
 * `npm run preview-qr [-- --out qr.jpg --page pages/phone/index --desc "…"]`: compiles the
 * mini-program as the offline check does and uploads it as a preview; prints the QR code to scan
 * with WeChat in the terminal, or saves it as a JPEG with --out. Needs WECHAT_APPID and
 * WECHAT_UPLOAD_KEY (account.ts).
 */
import * as path from 'node:path'
import { accountOrExit } from './account'
import { flags, run } from './cli'
import { packageVersion } from './project-config'

const COMMAND = 'npm run preview-qr'
const { values } = flags(COMMAND, {
  out: { type: 'string' },
  page: { type: 'string' },
  desc: { type: 'string' },
})
const account = accountOrExit(COMMAND)

run(COMMAND, async () => {
  // Loaded only now: miniprogram-ci takes seconds to load, and a refusal should not wait for it.
  const ci = await import('miniprogram-ci')
  const { COMPILE_SETTING, accountProject } = await import('./project')
  await ci.preview({
    project: accountProject(account),
    version: packageVersion(),
    desc: values.desc,
    setting: COMPILE_SETTING,
    pagePath: values.page,
    ...(values.out
      ? { qrcodeFormat: 'image', qrcodeOutputDest: path.resolve(values.out) }
      : { qrcodeFormat: 'terminal' }),
  })
  if (values.out) process.stdout.write(`preview QR code for ${account.appid}: ${values.out}\n`)
  return 0
})
