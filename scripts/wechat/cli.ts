/** What the commands share: their flags, and ending the process with a clear outcome. */
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/** Parses the flags after `npm run <command> --`, or says which are allowed and exits. */
export function flags<T extends Options>(command: string, options: T, positionals = false) {
  try {
    return parseArgs({ options, allowPositionals: positionals })
  } catch (error) {
    const allowed = Object.keys(options)
      .map((name) => `--${name}`)
      .join(', ')
    fail(`${command}: ${(error as Error).message} (allowed: ${allowed || 'none'})`)
  }
}

/** miniprogram-ci's errors name the file in a `path` field, the line in the message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const file = (error as { path?: unknown }).path
  return typeof file === 'string' && !error.message.includes(file)
    ? `${file}: ${error.message}`
    : error.message
}

/** miniprogram-ci logs progress, proxy notes and refused calls to the console: only ours shows. */
export function silencePackageLogs(): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    console[level] = () => undefined
  }
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

/**
 * Runs a command to its exit code. miniprogram-ci leaves its compiler process and a file watcher
 * running once done, so the process is ended explicitly.
 */
export function run(command: string, body: () => Promise<number>): void {
  body().then(
    (code) => process.exit(code),
    (error: unknown) => fail(`${command}: ${describeError(error)}`),
  )
}
