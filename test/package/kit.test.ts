/**
 * @jest-environment node
 *
 * The npm package weapp-login-kit as a team without this repository meets it. `npm publish
 * --dry-run` lists only what a user needs; the tarball `npm pack` makes installs into an empty
 * folder outside the repository, offline (it has no dependencies: nothing to fetch); there
 * `npx weapp-login-emulator` plays WeChat, the reference server starts as `npm start` runs it,
 * pointed at that emulator with the appid and secret of its first line, and
 * `npx weapp-login-conformance` passes it, turns red behind a proxy that plants a defect, and
 * exits as `npm run conformance` does.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import { createServer } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseEmulatorLine, type EmulatorListening } from '../../common/listening'
import { GROUPS } from '../../conformance/checks'
import type { Result } from '../../conformance/run'
import { rowsOf, startServerFor } from '../../conformance/test/support/kit-process'
import { startProxy } from '../../conformance/test/support/proxy'
import { COMMANDS } from '../../scripts/weapp-login-kit/build'
import { NPM_OFFLINE, pack, publishedFiles, succeed } from '../support/npm-package'
import { ROOT, runCommand, type ScriptResult } from '../support/script'
import type { ServerProcess } from '../support/server-process'

// A build, a pack, an install and two runs of the kit, on a machine other suites share.
jest.setTimeout(120_000)

const PACKAGE = path.join(ROOT, 'packages/weapp-login-kit')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weapp-login-kit-'))
/** The empty folder a team installs the kit into. */
const folder = path.join(work, 'ci')
let published: string[]
let tarball: string
let installed: string[]
let emulator: { child: ChildProcess; listening: EmulatorListening; exited: Promise<unknown> }
let server: ServerProcess

/**
 * `npx weapp-login-emulator` in the folder, in a process group of its own: npx runs the command
 * in a shell of its own and does not pass SIGTERM on, so stopping it signals the group, as Ctrl-C
 * in a terminal does.
 */
function startEmulator(): Promise<typeof emulator> {
  const child = spawn('npx', ['weapp-login-emulator'], {
    cwd: folder,
    env: { ...process.env, ...NPM_OFFLINE, EMULATOR_PORT: '0' },
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise((done) => child.once('exit', done))
  return new Promise((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const end = stdout.indexOf('\n')
      if (end < 0) return
      const listening = parseEmulatorLine(stdout.slice(0, end))
      if (listening) done({ child, listening, exited })
      else fail(new Error(`npx weapp-login-emulator printed first:\n${stdout}`))
    })
    void exited.then(() => fail(new Error(`npx weapp-login-emulator exited:\n${stdout}${stderr}`)))
  })
}

/** `npx weapp-login-conformance …` in the folder. */
function conformance(args: string[]): Promise<ScriptResult> {
  return runCommand('npx', ['weapp-login-conformance', ...args], folder, {
    ...NPM_OFFLINE,
    NO_COLOR: '1',
  })
}

beforeAll(async () => {
  // Publishing builds the package (prepack); packing then takes that build as it is.
  published = await publishedFiles(PACKAGE)
  tarball = await pack(PACKAGE, work)
  fs.mkdirSync(folder)
  await succeed('npm', ['install', tarball], folder)
  installed = fs.readdirSync(path.join(folder, 'node_modules')).sort()

  emulator = await startEmulator()
  server = await startServerFor(emulator.listening)
})

afterAll(async () => {
  await server?.dispose()
  if (emulator) {
    process.kill(-emulator.child.pid!, 'SIGTERM')
    await emulator.exited
  }
  fs.rmSync(work, { recursive: true, force: true })
})

const ALL_CHECKS = GROUPS.flatMap((group) => group.checks.map((check) => check.name))
const groupTitled = (start: string) => GROUPS.find((group) => group.title.startsWith(start))!
const TOKEN = groupTitled('the token')
const LOGOUT = groupTitled('logout')

it('npm publish --dry-run lists only what a user needs: the two commands, the contract, the notices, the docs', () => {
  expect(published).toEqual(
    [
      'CHANGELOG.md',
      'README.md',
      'THIRD-PARTY-NOTICES.md',
      ...Object.keys(COMMANDS).map((bin) => `bin/${bin}.js`),
      'docs/api.md',
      'package.json',
    ].sort(),
  )
})

it('installs into an empty folder outside the repository with nothing else: no dependency to fetch', () => {
  expect(path.relative(ROOT, folder).startsWith('..')).toBe(true)
  expect(installed).toEqual(['.bin', '.package-lock.json', 'weapp-login-kit'])
  expect(fs.readdirSync(path.join(folder, 'node_modules/.bin')).sort()).toEqual(
    Object.keys(COMMANDS).sort(),
  )
})

it('runs with npx --package and nothing installed, as the README shows it', async () => {
  const elsewhere = path.join(work, 'elsewhere')
  fs.mkdirSync(elsewhere)
  const run = await runCommand(
    'npx',
    ['--yes', '--package', tarball, 'weapp-login-conformance', '--list'],
    elsewhere,
    NPM_OFFLINE,
  )
  expect(run.stderr).toBe('')
  for (const name of ALL_CHECKS) expect(run.stdout).toContain(`  - ${name}\n`)
  expect(run.code).toBe(0)
  expect(fs.readdirSync(elsewhere)).toEqual([])
})

it('npx weapp-login-conformance passes the reference server that npx weapp-login-emulator plays WeChat for, and exits 0', async () => {
  const run = await conformance(['--backend', server.url, '--emulator', emulator.listening.url])
  const rows = rowsOf(run.stdout)
  expect(rows.filter(([result]) => result !== 'pass')).toEqual([])
  expect(rows.map(([, name]) => name)).toEqual(ALL_CHECKS)
  expect(run.stdout).toContain(`${ALL_CHECKS.length} checks: ${ALL_CHECKS.length} passed, 0 failed`)
  expect(run.code).toBe(0)
})

it('turns red, exit code 1, against a backend with a route missing, and says what is missing', async () => {
  // An unfinished backend: the reference server with no logout yet.
  const proxy = await startProxy(server.url, async (request, forward) => {
    if (request.path !== '/api/auth/logout') return forward()
    const body = { error: { code: 'NOT_FOUND', message: 'no route POST /api/auth/logout' } }
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    }
  })
  try {
    const run = await conformance([
      '--backend',
      proxy.url,
      '--emulator',
      emulator.listening.url,
      '--json',
    ])
    const report = JSON.parse(run.stdout) as { results: Result[] }
    const failed = report.results.filter((result) => !result.passed)
    // The logout's own rows, and the token rows that log a token out first.
    expect(failed.map((result) => [result.group, result.name])).toEqual([
      [TOKEN.title, 'no Authorization header → 401 UNAUTHORIZED on every protected route'],
      [
        TOKEN.title,
        'a malformed Authorization header (no token, garbage, a 4 KiB token) → 401 UNAUTHORIZED',
      ],
      [TOKEN.title, 'a token the backend never issued → 401 UNAUTHORIZED on every protected route'],
      [TOKEN.title, 'a logged-out token → 401 UNAUTHORIZED on every protected route'],
      ...LOGOUT.checks.map((check) => [LOGOUT.title, check.name]),
    ])
    expect(failed.at(-1)?.reason).toContain('404 NOT_FOUND')
    expect(run.code).toBe(1)

    const table = await conformance(['--backend', proxy.url, '--emulator', emulator.listening.url])
    const tokenPassed = TOKEN.checks.length - 4
    expect(table.stdout).toContain(
      'What is missing:\n' +
        `  ${TOKEN.title}: ${tokenPassed} of ${TOKEN.checks.length} passed, 4 failed\n` +
        `  ${LOGOUT.title}: 0 of ${LOGOUT.checks.length} passed, ${LOGOUT.checks.length} failed\n\n`,
    )
    expect(table.code).toBe(1)
  } finally {
    await proxy.close()
  }
})

it('exits as npm run conformance does when it cannot start: 3 for a backend not there, 2 for bad arguments', async () => {
  const closed = createServer()
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done))
  const backend = `http://127.0.0.1:${(closed.address() as { port: number }).port}`
  await new Promise((done) => closed.close(done))

  const unreachable = await conformance([
    '--backend',
    backend,
    '--emulator',
    emulator.listening.url,
  ])
  expect(unreachable.stderr).toContain(`cannot reach the backend at ${backend} (ECONNREFUSED)`)
  expect(unreachable.code).toBe(3)

  const usage = await conformance([])
  expect(usage.stderr).toContain('usage: weapp-login-conformance --backend <url>')
  expect(usage.code).toBe(2)
})
