import { parseArgs } from 'node:util'
import { redactUrl } from '../common/redact'
import { GROUPS } from './checks'
import { listChecks, tablePrinter } from './report'
import { EXIT, runConformance, SetupError, tally } from './run'

// npm run conformance -- --backend http://host:port [--emulator http://host:port] [--json], or
// weapp-login-conformance, the same built into the npm package weapp-login-kit.
// Exit codes: 0 no check failed (a group left out by --skip is reported as skipped), 1 a check
// failed or was not run, 2 bad arguments, 3 the backend or the emulator cannot be reached (or the
// backend does not use this emulator), 4 the emulator is not in strict mode.

const SKIPPABLE = GROUPS.flatMap((group) => (group.skippable ? [group.skippable] : []))

const USAGE = `usage: weapp-login-conformance --backend <url> [--emulator <url>] [--json] [--timeout <s>]
                               [--skip <group>]
       weapp-login-conformance --list
       (in the weapp-login repository: npm run conformance -- <the same options>)

  --backend   the backend under test, e.g. http://127.0.0.1:8080
  --emulator  the WeChat API emulator the backend uses (default http://127.0.0.1:3100, what
              weapp-login-emulator and \`npm run emulator\` print); for the reference server with
              its built-in emulator, <backend>/__wechat
  --json      print the results as one JSON object instead of the table
  --timeout   seconds to wait for each answer (default 30)
  --skip      leave a group out, for a backend that has not built it yet: ${SKIPPABLE.join(', ')}
              (its checks are reported as skipped, never as passed)
  --list      print every check and the clause of docs/api.md it checks, and exit`

const DEFAULT_EMULATOR = 'http://127.0.0.1:3100'

function usage(problem: string): never {
  console.error(`${problem}\n\n${USAGE}`)
  process.exit(EXIT.usage)
}

function httpUrl(name: string, value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : null
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
    usage(`--${name} must be an http(s) URL without query (got "${value}")`)
  }
  return url
}

async function main(): Promise<void> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        backend: { type: 'string' },
        emulator: { type: 'string', default: DEFAULT_EMULATOR },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '30' },
        list: { type: 'boolean', default: false },
        skip: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (error) {
    usage((error as Error).message)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (values.list) {
    listChecks(GROUPS, (line) => console.log(line))
    return
  }
  if (values.backend === undefined) usage('--backend is required')
  const backend = httpUrl('backend', values.backend)
  const emulator = httpUrl('emulator', values.emulator)
  const timeoutS = Number(values.timeout)
  if (!(timeoutS > 0 && timeoutS <= 600))
    usage(`--timeout must be 1 to 600 seconds (got "${values.timeout}")`)

  const unknown = values.skip.filter((name) => !SKIPPABLE.includes(name))
  if (unknown.length > 0) {
    usage(`--skip takes ${SKIPPABLE.join(', ')} (got "${unknown.join('", "')}")`)
  }

  const printer = values.json
    ? null
    : tablePrinter((line) => console.log(line), process.stdout.isTTY && !process.env.NO_COLOR)
  printer?.header(backend, emulator)
  const started = performance.now()
  try {
    const run = await runConformance({
      backend,
      emulator,
      timeoutMs: timeoutS * 1000,
      groups: GROUPS,
      skip: new Set(values.skip),
      onGroup: (title) => printer?.group(title),
      onResult: (result) => printer?.result(result),
    })
    const seconds = (performance.now() - started) / 1000
    const { passed, failed, notRun, skipped } = tally(run.results)
    if (printer) printer.summary(run, seconds)
    else {
      console.log(
        JSON.stringify({
          backend: redactUrl(backend.href),
          emulator: { url: redactUrl(emulator.href), ...run.emulator },
          passed,
          failed,
          notRun,
          skipped,
          seconds,
          warnings: run.warnings,
          stopped: run.stopped,
          results: run.results,
        }),
      )
    }
    process.exitCode = failed === 0 && notRun === 0 ? EXIT.passed : EXIT.failed
  } catch (error) {
    if (!(error instanceof SetupError)) throw error
    console.error(`conformance: ${error.message}`)
    process.exitCode = error.exitCode
  }
}

void main()
