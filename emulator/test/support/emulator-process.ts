import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { parseEmulatorLine, type EmulatorListening } from '../../../common/listening'
import { nodeArgs } from '../../../test/support/server-process'

// `npm run emulator` runs exactly this, minus npm's wrapper: node --import tsx on its main.ts.
const ROOT = resolve(__dirname, '..', '..', '..')
const MAIN = 'emulator/main.ts'

export type Listening = EmulatorListening

export interface EmulatorProcess {
  child: ChildProcess
  /** Resolves with the first line, parsed; rejects if the process exits first or prints else. */
  listening: Promise<Listening>
  exited: Promise<number | null>
  output(): { stdout: string; stderr: string }
  /** Resolves once stdout holds `text`: what follows the first line comes when it comes. */
  printed(text: string): Promise<void>
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * The standalone emulator in its own process, with these EMULATOR_* variables; `main` may be the
 * compiled one (server/dist/emulator/main.js).
 */
export function spawnEmulator(env: Record<string, string>, main = MAIN): EmulatorProcess {
  const child = spawn(process.execPath, nodeArgs(main), {
    cwd: ROOT,
    env: { ...process.env, EMULATOR_PORT: '0', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  const listening = new Promise<Listening>((done, fail) => {
    child.stdout.on('data', () => {
      const end = stdout.indexOf('\n')
      if (end < 0) return
      const listening = parseEmulatorLine(stdout.slice(0, end))
      if (!listening) return fail(new Error(`unexpected first line:\n${stdout}`))
      done(listening)
    })
    void exited.then((code) => fail(new Error(`exited (${code}):\n${stdout}\n${stderr}`)))
  })
  // Awaited only by the tests that expect the emulator to come up.
  listening.catch(() => undefined)
  return {
    child,
    listening,
    exited,
    output: () => ({ stdout, stderr }),
    printed: (text) =>
      new Promise((done) => {
        const check = () => {
          if (!stdout.includes(text)) return
          child.stdout.off('data', check)
          done()
        }
        child.stdout.on('data', check)
        check()
      }),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}
