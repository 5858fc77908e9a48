/**
 * The mini-program as WeChat's own tooling builds it: miniprogram-ci, the compiler taken out of
 * WeChat DevTools, reading project.config.json. The offline check, `npm run upload` and
 * `npm run preview-qr` all get their project and compile settings here, so what the check passes
 * is what gets uploaded.
 */
import * as ci from 'miniprogram-ci'
import type { Account } from './account'
import { ROOT, readProjectConfig } from './project-config'

// miniprogram-ci compiles in a process it forks with this process's node flags, and fails the
// compile if that process is not ready within 20 s. Under tsx those flags load a TypeScript
// loader the compiler has no use for: on a busy machine its start alone can take longer, and as
// `--import tsx` it does not even resolve from a project folder outside this repository.
process.execArgv = []

/**
 * Compile with project.config.json's `setting` (TypeScript plugin, minified JS/WXML/WXSS, …), as
 * DevTools does, instead of miniprogram-ci's own defaults.
 */
export const COMPILE_SETTING = { useProjectConfig: true }

/**
 * A project that compiles with no account and no network. miniprogram-ci asks for a key even
 * for a local compile (any string will do), and asks WeChat for the account's attributes (size
 * limits, tab-bar limits) with it; the attributes it ships as defaults stand in for those.
 */
class OfflineProject extends ci.Project {
  override async attr(): Promise<typeof ci.DefaultProjectAttr> {
    return structuredClone(ci.DefaultProjectAttr)
  }
}

export function offlineProject(projectPath: string): ci.Project {
  return new OfflineProject({
    appid: readProjectConfig(projectPath).appid,
    type: 'miniProgram',
    projectPath,
    privateKey: 'offline: never sent anywhere',
  })
}

/** The project as an account's code-upload key may upload or preview it. */
export function accountProject(account: Account): ci.Project {
  return new ci.Project({
    appid: account.appid,
    type: 'miniProgram',
    projectPath: ROOT,
    privateKeyPath: account.privateKeyPath,
  })
}
