/** The repository's own files these scripts read, without loading miniprogram-ci. */
import * as fs from 'node:fs'
import * as path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')

/** The fields of project.config.json these scripts use. */
export function readProjectConfig(projectPath = ROOT): { appid: string } {
  const file = path.join(projectPath, 'project.config.json')
  const { appid } = JSON.parse(fs.readFileSync(file, 'utf8')) as { appid?: unknown }
  if (typeof appid !== 'string') throw new Error(`${file} has no "appid"`)
  return { appid }
}

/** The version an upload gets unless told otherwise. */
export function packageVersion(): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string
  }
  return version
}
