import { GROUPS } from '../checks'
import type { Result, Stopped } from '../run'
import { rowsOf, runKit, startReference, type Reference } from './support/kit-process'
import { startProxy, type Hook, type Proxy } from './support/proxy'

// A backend that dies in the middle of a run, as an unfinished one does (a stack overflow on JSON
// nested 5,000 levels deep): the reference server behind a proxy that, given that body, drops the
// connection and stops listening. The kit must say which check killed it, send it nothing more
// (no ECONNREFUSED on every later row), still check what the run already got, and sum up what is
// missing.

let reference: Reference

beforeAll(async () => {
  reference = await startReference()
}, 60_000)

afterAll(async () => {
  await reference?.close()
})

const ODD_JSON = GROUPS.flatMap((group) => group.checks).find((check) =>
  check.name.startsWith('odd JSON'),
)!.name
const MALFORMED = GROUPS.find((group) => group.checks.some((check) => check.name === ODD_JSON))!
const RUN_WIDE = GROUPS.at(-1)!
/** Every check of the run in order, and those after the one that kills the backend. */
const ALL = GROUPS.flatMap((group) => group.checks.map((check) => check.name))
const AFTER = ALL.slice(ALL.indexOf(ODD_JSON) + 1)
const NOT_RUN = AFTER.filter((name) => !RUN_WIDE.checks.some((check) => check.name === name))

/** A proxy in front of the reference server that dies on JSON nested thousands of levels deep. */
async function dyingBackend(): Promise<Proxy> {
  const proxy: Proxy = await startProxy(reference.server.url, (async (request, forward) => {
    if (!request.body.includes('['.repeat(1000))) return forward()
    // As a process that overflows its stack: the connection drops, the port closes.
    await proxy.close()
    return new Promise(() => undefined)
  }) satisfies Hook)
  return proxy
}

async function runAgainstDyingBackend(json: boolean) {
  const proxy = await dyingBackend()
  try {
    const args = ['--backend', proxy.url, '--emulator', reference.wechat.url]
    return { proxy, run: await runKit(json ? [...args, '--json'] : args) }
  } finally {
    await proxy.close()
  }
}

it('names the check that killed the backend, runs nothing else against it, and says what is missing', async () => {
  const { proxy, run } = await runAgainstDyingBackend(false)
  const rows = rowsOf(run.stdout)
  // Every check before it passed; it failed; the run-wide checks still ran over what came back.
  expect(rows.map(([, name]) => name)).toEqual([
    ...ALL.slice(0, ALL.indexOf(ODD_JSON) + 1),
    ...RUN_WIDE.checks.map((check) => check.name),
  ])
  expect(rows.filter(([result]) => result === 'FAIL')).toEqual([['FAIL', ODD_JSON]])
  for (const name of NOT_RUN) expect(run.stdout).toContain(`\n  ----  ${name}\n`)
  expect(run.stdout).not.toContain('ECONNREFUSED) on')
  expect(run.stdout.match(/ECONNREFUSED/g)).toHaveLength(2)

  const failure = run.stdout.split(`  FAIL  ${ODD_JSON}\n`)[1]!.split('\n')[0]
  expect(failure).toMatch(/^ {8}POST \/api\/auth\/login: no answer \((ECONNRESET|socket hang up)\)/)
  expect(failure).toContain(`nothing has answered at ${proxy.url}/ since (ECONNREFUSED)`)
  expect(run.stdout).toContain(
    `The backend stopped answering during "${ODD_JSON}" (${MALFORMED.title}):\n` +
      '  POST /api/auth/login got no answer',
  )
  expect(run.stdout).toMatch(/\n {2}Its last answer before: \S+ \S+ → \d{3}, in the same check\.\n/)
  expect(run.stdout).toContain(
    `\n  The ${NOT_RUN.length} checks after it that needed the backend were not run (----).\n`,
  )
  const passedInMalformed = MALFORMED.checks.length - 1 - NOT_RUN.length
  expect(run.stdout).toContain(
    `What is missing:\n  ${MALFORMED.title}: ${passedInMalformed} of ${MALFORMED.checks.length} passed, 1 failed, ${NOT_RUN.length} not run\n\n`,
  )
  expect(run.stdout).toMatch(
    new RegExp(
      `^${ALL.length} checks: ${ALL.length - 1 - NOT_RUN.length} passed, 1 failed, ${NOT_RUN.length} not run \\(`,
      'm',
    ),
  )
  expect(run.code).toBe(1)
}, 120_000)

it('says the same in --json: the check that stopped it, and each check not run', async () => {
  const { run } = await runAgainstDyingBackend(true)
  const report = JSON.parse(run.stdout) as {
    passed: number
    failed: number
    notRun: number
    stopped: Stopped
    results: Result[]
  }
  expect(report.stopped).toMatchObject({
    check: ODD_JSON,
    group: MALFORMED.title,
    request: 'POST /api/auth/login',
    since: 'ECONNREFUSED',
  })
  const notRun = report.results.filter((result) => result.notRun)
  expect(notRun.map((result) => result.name)).toEqual(NOT_RUN)
  for (const result of notRun) {
    expect(result.passed).toBe(false)
    expect(result.reason).toMatch(
      new RegExp(`: not sent, the backend stopped answering during "odd JSON`),
    )
  }
  expect([report.passed, report.failed, report.notRun]).toEqual([
    ALL.length - 1 - NOT_RUN.length,
    1,
    NOT_RUN.length,
  ])
  expect(run.code).toBe(1)
}, 120_000)
