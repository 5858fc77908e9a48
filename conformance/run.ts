import { API_PATHS } from './contract'
import { CheckFailure, summarize, where } from './expect'
import { Emulator, EmulatorError, type EmulatorInfo } from './emulator'
import { Backend, BackendGone, NetworkError, Recorder, type Answer } from './http'
import { Kit, type Group } from './kit'

export interface Result {
  group: string
  name: string
  clause: string
  /** False for a skipped check too: it proved nothing. */
  passed: boolean
  /** Not run: the backend had stopped answering before this check (not passed either). */
  notRun?: true
  /** Left out by `--skip`: neither passed nor failed. */
  skipped?: true
  /** Why it failed: what was sent, what the contract wants, what came back; or why it was skipped. */
  reason?: string
}

/** The backend stopped answering in the middle of the run: which check killed it, and how. */
export interface Stopped {
  check: string
  group: string
  /** The request that got no answer, and why not (ECONNRESET, a timeout…). */
  request: string
  reason: string
  /** Why nothing has answered at the backend's URL since (ECONNREFUSED: its process is gone). */
  since: string
  /** Its last answer before that, and the check that asked: where to look in its log. */
  lastAnswer: string | null
}

/** The run could not start: the reason, and the exit code that says which kind. */
export class SetupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
    this.name = 'SetupError'
  }
}

export const EXIT = {
  passed: 0,
  failed: 1,
  usage: 2,
  /** The backend or the emulator cannot be reached, or is not what it should be. */
  unreachable: 3,
  notStrict: 4,
} as const

export interface RunOptions {
  backend: URL
  emulator: URL
  timeoutMs: number
  groups: readonly Group[]
  /** The `skippable` names of the groups to leave out. */
  skip?: ReadonlySet<string>
  /** Called as each check ends, and with each group's title before its first check. */
  onGroup?(title: string): void
  onResult?(result: Result): void
}

export interface Run {
  emulator: EmulatorInfo
  /** What the kit noticed before the checks that may explain their failures. */
  warnings: string[]
  results: Result[]
  /** Set when the backend stopped answering mid-run; the checks after it were not run. */
  stopped: Stopped | null
}

/** How many checks passed, failed, or could not run. */
export function tally(results: readonly Result[]): {
  passed: number
  failed: number
  notRun: number
  skipped: number
} {
  const count = (which: (result: Result) => unknown) => results.filter(which).length
  const passed = count((result) => result.passed)
  const notRun = count((result) => result.notRun)
  const skipped = count((result) => result.skipped)
  return { passed, failed: results.length - passed - notRun - skipped, notRun, skipped }
}

function reasonOf(error: unknown): string {
  if (error instanceof CheckFailure) return error.message
  if (error instanceof NetworkError) return `${error.request}: no answer (${error.reason})`
  if (error instanceof EmulatorError || error instanceof BackendGone) return error.message
  return `the kit itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
}

/**
 * Before any check: the emulator answers as the emulator, in strict mode, and the backend is
 * reachable and redeems its login codes with this emulator. Anything else is a setup problem.
 */
async function preflight(
  backend: Backend,
  emulator: Emulator,
): Promise<Pick<Run, 'emulator' | 'warnings'>> {
  const emulatorUrl = emulator.base.href.replace(/\/$/, '')
  let info: EmulatorInfo
  try {
    info = await emulator.info()
  } catch (error) {
    if (error instanceof NetworkError) {
      throw new SetupError(
        `cannot reach the emulator at ${emulatorUrl} (${error.reason}): start it with \`npx --package weapp-login-kit weapp-login-emulator\` ` +
          '(`npm run emulator` in the weapp-login repository), ' +
          'or for the reference server started with its built-in emulator pass --emulator <backend>/__wechat',
        EXIT.unreachable,
      )
    }
    throw new SetupError(
      `${emulatorUrl} does not answer as the emulator's control API (${(error as Error).message}): ` +
        "pass the base URL of the emulator's first line, or <backend>/__wechat for the built-in one",
      EXIT.unreachable,
    )
  }
  if (typeof info.appid !== 'string' || typeof info.mode !== 'string') {
    throw new SetupError(
      `${emulatorUrl} does not answer as the emulator's control API (GET /control/info gave no appid and mode)`,
      EXIT.unreachable,
    )
  }
  if (info.mode !== 'strict') {
    throw new SetupError(
      `the emulator at ${emulatorUrl} runs in ${info.mode} mode, which accepts login codes it never minted: ` +
        "the checks of code errors cannot pass. Restart it with EMULATOR_MODE=strict (the standalone emulator's default)",
      EXIT.notStrict,
    )
  }

  const before = await emulator.stats()
  const { code } = await emulator.mintLogin()
  const answer = await backend
    .request('POST', API_PATHS.login, { json: { code } })
    .catch((error: unknown) => {
      if (!(error instanceof NetworkError)) throw error
      throw new SetupError(
        `cannot reach the backend at ${backend.base.href.replace(/\/$/, '')} (${error.reason})`,
        EXIT.unreachable,
      )
    })
  const after = await emulator.stats()
  const warnings: string[] = []
  if ((after.jscode2session ?? 0) <= (before.jscode2session ?? 0)) {
    throw new SetupError(
      `the backend answered a login code with ${summarize(answer)} without asking this emulator ` +
        `(its jscode2session was not called): point the backend's WeChat API base URL at ${emulatorUrl}, ` +
        `with appid ${info.appid} and the emulator's secret`,
      EXIT.unreachable,
    )
  }
  if (answer.status !== 200) {
    warnings.push(
      `a first login answered ${summarize(answer)} though the emulator was asked: does the backend use ` +
        `appid ${info.appid} and the emulator's secret?`,
    )
  }
  return { emulator: info, warnings }
}

/**
 * After a check got no answer: is the backend still there? If nothing answers at its URL any
 * more, the kit sends it nothing else, and says which check it stopped in.
 */
async function stoppedBy(
  error: NetworkError,
  backend: Backend,
  answers: readonly Answer[],
  check: { name: string; group: string },
): Promise<Stopped | null> {
  const since = await backend.probe()
  if (since === null) return null
  backend.stopSending(check.name)
  const last = answers.at(-1)
  return {
    check: check.name,
    group: check.group,
    request: error.request,
    reason: error.reason,
    since,
    lastAnswer: last ? where(last) : null,
  }
}

/** Runs every check in turn against the backend, WeChat's side played by the emulator. */
export async function runConformance(options: RunOptions): Promise<Run> {
  const recorder = new Recorder()
  const backend = new Backend(options.backend, recorder, options.timeoutMs)
  const emulator = new Emulator(options.emulator, options.timeoutMs)
  try {
    const { emulator: info, warnings } = await preflight(backend, emulator)
    const wechatFaultChecks = new Set(
      options.groups.flatMap((group) =>
        group.checks.filter((check) => check.wechatFault).map((check) => check.name),
      ),
    )
    const kit = new Kit(backend, emulator, recorder.answers, wechatFaultChecks)
    const results: Result[] = []
    let stopped: Stopped | null = null
    for (const group of options.groups) {
      options.onGroup?.(group.title)
      const skipped = group.skippable !== undefined && options.skip?.has(group.skippable) === true
      for (const check of group.checks) {
        recorder.check = check.name
        const result: Result = {
          group: group.title,
          name: check.name,
          clause: check.clause,
          passed: !skipped,
        }
        if (skipped) {
          result.skipped = true
          result.reason = `skipped: --skip ${group.skippable}`
        } else {
          try {
            await check.run(kit)
          } catch (error) {
            result.passed = false
            result.reason = reasonOf(error)
            if (error instanceof BackendGone) result.notRun = true
            if (error instanceof NetworkError && stopped === null) {
              stopped = await stoppedBy(error, backend, recorder.answers, {
                name: check.name,
                group: group.title,
              })
              if (stopped) {
                result.reason += `; nothing has answered at ${backend.base.href} since (${stopped.since})`
              }
            }
          }
        }
        results.push(result)
        options.onResult?.(result)
      }
    }
    return { emulator: info, warnings, results, stopped }
  } finally {
    backend.close()
  }
}
