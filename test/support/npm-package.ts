/**
 * The npm packages of this repository (packages/*) as a user gets them: what `npm publish` would
 * ship, and the tarball `npm pack` makes. npm runs offline here: a package it would have to fetch
 * is a failure, never a download.
 */
import * as path from 'node:path'
import { runCommand } from './script'

export const NPM_OFFLINE = {
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
}

/** Runs `command` in `cwd`, failing with everything it printed unless it exits with 0. */
export async function succeed(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  const result = await runCommand(command, args, cwd, { ...NPM_OFFLINE, ...env })
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (${result.code}):\n${result.stdout}${result.stderr}`,
    )
  }
  return result.stdout
}

/** Every file `npm publish --dry-run` lists, sorted. Publishing builds the package (prepack). */
export async function publishedFiles(packageDir: string): Promise<string[]> {
  const report = JSON.parse(await succeed('npm', ['publish', '--dry-run', '--json'], packageDir))
  const [{ files }] = Object.values(report) as Array<{ files: Array<{ path: string }> }>
  return files.map((file) => file.path).sort()
}

/** `npm pack` of the package as it is built (no prepack): the tarball's path, in `into`. */
export async function pack(packageDir: string, into: string): Promise<string> {
  const [{ filename }] = JSON.parse(
    await succeed(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', into],
      packageDir,
    ),
  ) as Array<{ filename: string }>
  return path.join(into, filename)
}
