/**
 * Which mini-program `npm run upload` and `npm run preview-qr` act for, and with which key: from
 * the environment, checked before anything talks to WeChat, every problem named in one message.
 */
import * as fs from 'node:fs'
import { readProjectConfig } from './project-config'

export interface Account {
  appid: string
  /** The code-upload key (private.<appid>.key) downloaded from the admin console. */
  privateKeyPath: string
}

/** What project.config.json carries as committed; the server's emulator plays the same AppID. */
const PLACEHOLDER_APPID = 'wx0000000000000000'

const APPID_HELP =
  "your mini-program's AppID, the one the server uses, from mp.weixin.qq.com → 开发管理 → 开发设置"
const KEY_HELP =
  'the path of the code-upload key file, generated at mp.weixin.qq.com → 开发管理 → 开发设置 → ' +
  "小程序代码上传 (whose IP whitelist must also list this machine's public address)"

type Env = Readonly<Record<string, string | undefined>>

/**
 * The AppID is WECHAT_APPID, or else project.config.json's unless that is the placeholder; the
 * key is WECHAT_UPLOAD_KEY, a readable file. Returns the account, or every problem found.
 */
function readAccount(env: Env, projectAppid: string): Account | { problems: string[] } {
  const problems: string[] = []
  const source = env.WECHAT_APPID ? 'WECHAT_APPID' : "project.config.json's appid"
  const appid = env.WECHAT_APPID || projectAppid
  if (appid === PLACEHOLDER_APPID) {
    problems.push(`set WECHAT_APPID to ${APPID_HELP} (${source} is the placeholder ${appid})`)
  } else if (!/^wx[0-9a-f]{16}$/i.test(appid)) {
    problems.push(`${source} must look like wx followed by 16 hex digits (got "${appid}")`)
  }

  const privateKeyPath = env.WECHAT_UPLOAD_KEY ?? ''
  if (privateKeyPath === '') {
    problems.push(`set WECHAT_UPLOAD_KEY to ${KEY_HELP}`)
  } else if (!isReadableFile(privateKeyPath)) {
    problems.push(`WECHAT_UPLOAD_KEY is "${privateKeyPath}", not a readable file: ${KEY_HELP}`)
  }

  return problems.length > 0 ? { problems } : { appid, privateKeyPath }
}

/**
 * The account; or a refusal that says what to set and where to get it, after the command's other
 * `refusals` if any, and exit code 1.
 */
export function accountOrExit(command: string, refusals: string[] = []): Account {
  const result = readAccount(process.env, readProjectConfig().appid)
  if ('problems' in result || refusals.length > 0) {
    const own =
      'problems' in result
        ? [
            `${command} needs to know which mini-program to act for and the key to do it with:\n` +
              result.problems.map((problem) => `  - ${problem}\n`).join(''),
          ]
        : []
    process.stderr.write([...refusals, ...own].join(''))
    process.exit(1)
  }
  return result
}

function isReadableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}
