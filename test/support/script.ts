/**
 * One of the repository's command-line scripts (scripts/), in its own process as `npm run <name>`
 * runs it, from the repository root, minus npm's wrapper (`node --import tsx`, as for the server);
 * or any other command.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')

export interface ScriptResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs it to its end. `env` entries set to undefined are removed from this process's env. */
export function runScript(
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<ScriptResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], ROOT, env)
}

/** Any command run to its end in `cwd` (`npm`, say), with this process's env changed by `env`. */
export function runCommand(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<ScriptResult> {
  const merged = Object.entries({ ...process.env, ...env }).filter(
    ([, value]) => value !== undefined,
  )
  const child = spawn(command, args, { cwd, env: Object.fromEntries(merged) })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
