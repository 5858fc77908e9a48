import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { spawnEmulator, type Listening } from '../../../emulator/test/support/emulator-process'
import { ServerProcess } from '../../../test/support/server-process'

const ROOT = resolve(__dirname, '..', '..', '..')

export interface KitRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The kit's CLI in its own process: `npm run conformance -- …` as a team types it, or the node
 * command that script runs (minus npm's wrapper).
 */
export function runKit(args: string[], via: 'npm' | 'node' = 'node'): Promise<KitRun> {
  const [command, commandArgs] =
    via === 'npm'
      ? ['npm', ['run', 'conformance', '--', ...args]]
      : [process.execPath, ['--import', 'tsx', 'conformance/main.ts', ...args]]
  const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((done, fail) => {
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

/** The table's rows: `[result, check name]`. */
export function rowsOf(stdout: string): [string, string][] {
  return [...stdout.matchAll(/^ {2}(pass|FAIL|skip) {2}(.+)$/gm)].map(
    ([, result = '', name = '']) => [result, name],
  )
}

export interface Reference {
  /** The standalone emulator, as `npm run emulator` runs it. */
  wechat: Listening
  server: ServerProcess
  close(): Promise<void>
}

/**
 * The reference server in its own process as `npm start` runs it, pointed at a standalone emulator
 * as a team's backend would be: its WeChat API base URL (`wechatApiBase`, or the emulator's URL),
 * and the appid and secret of the emulator's first line.
 */
export async function startServerFor(
  wechat: Listening,
  wechatApiBase = wechat.url,
): Promise<ServerProcess> {
  const server = new ServerProcess({
    WECHAT_APPID: wechat.appid,
    WECHAT_SECRET: wechat.secret,
    WECHAT_API_BASE: wechatApiBase,
    // Empty is unset: the mode is the standalone emulator's business, not the server's.
    EMULATOR_MODE: '',
  })
  try {
    await server.start()
  } catch (error) {
    await server.dispose()
    throw error
  }
  return server
}

/**
 * The reference server in its own process, pointed at a standalone emulator in another.
 * `wechatApiBase` puts something between the server and the emulator (a wiretap).
 */
export async function startReference(
  wechatApiBase?: (emulatorUrl: string) => Promise<string>,
): Promise<Reference> {
  const emulator = spawnEmulator({ EMULATOR_PORT: '0' })
  const wechat = await emulator.listening
  const server = await startServerFor(
    wechat,
    wechatApiBase ? await wechatApiBase(wechat.url) : undefined,
  ).catch(async (error: unknown) => {
    await emulator.stop()
    throw error
  })
  return {
    wechat,
    server,
    async close() {
      await server.dispose()
      await emulator.stop()
    },
  }
}
