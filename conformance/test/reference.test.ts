import { createServer } from 'node:net'
import { spawnEmulator, type EmulatorProcess } from '../../emulator/test/support/emulator-process'
import { GROUPS } from '../checks'
import { rowsOf, runKit, startReference, type Reference } from './support/kit-process'

// The kit as a team runs it: `npm run conformance` against the reference server in its own
// process, WeChat played by the standalone emulator in another.

let reference: Reference
const emulators: EmulatorProcess[] = []

beforeAll(async () => {
  reference = await startReference()
}, 60_000)

afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.stop()))
  await reference?.close()
})

async function anotherEmulator(env: Record<string, string>): Promise<string> {
  const emulator = spawnEmulator(env)
  emulators.push(emulator)
  return (await emulator.listening).url
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

const ALL_CHECKS = GROUPS.flatMap((group) => group.checks.map((check) => check.name))

it('passes every check against the reference server, and exits 0', async () => {
  const run = await runKit(
    ['--backend', reference.server.url, '--emulator', reference.wechat.url],
    'npm',
  )
  const rows = rowsOf(run.stdout)
  expect(rows.filter(([result]) => result !== 'pass')).toEqual([])
  expect(rows.map(([, name]) => name)).toEqual(ALL_CHECKS)
  expect(run.stdout).toMatch(
    new RegExp(`^${ALL_CHECKS.length} checks: ${ALL_CHECKS.length} passed, 0 failed`, 'm'),
  )
  expect(run.code).toBe(0)
}, 120_000)

it('lists every check with the clause of docs/api.md it checks, without a backend', async () => {
  const run = await runKit(['--list'])
  expect(run.code).toBe(0)
  for (const group of GROUPS) {
    for (const check of group.checks) {
      expect(run.stdout).toContain(`  - ${check.name}\n      ${check.clause}\n`)
      expect(check.clause).toMatch(/^docs\/api\.md › /)
    }
  }
}, 60_000)

describe('a run that cannot start says why, with its own exit code', () => {
  it('exits 3 when the backend cannot be reached', async () => {
    const backend = `http://127.0.0.1:${await closedPort()}`
    const run = await runKit(['--backend', backend, '--emulator', reference.wechat.url])
    expect(run.stderr).toContain(`cannot reach the backend at ${backend} (ECONNREFUSED)`)
    expect(run.code).toBe(3)
  }, 60_000)

  it('exits 3 when the emulator cannot be reached', async () => {
    const emulator = `http://127.0.0.1:${await closedPort()}`
    const run = await runKit(['--backend', reference.server.url, '--emulator', emulator])
    expect(run.stderr).toContain(`cannot reach the emulator at ${emulator} (ECONNREFUSED)`)
    expect(run.stderr).toContain('npm run emulator')
    expect(run.code).toBe(3)
  }, 60_000)

  it('exits 3 when --emulator is not the emulator (the backend itself, say)', async () => {
    const url = reference.server.url
    const run = await runKit(['--backend', url, '--emulator', url])
    expect(run.stderr).toContain(`${url} does not answer as the emulator's control API`)
    expect(run.code).toBe(3)
  }, 60_000)

  it('exits 3 when the backend redeems its codes with another WeChat than this emulator', async () => {
    const other = await anotherEmulator({})
    const run = await runKit(['--backend', reference.server.url, '--emulator', other])
    expect(run.stderr).toContain("its jscode2session was not called): point the backend's WeChat")
    expect(run.code).toBe(3)
  }, 60_000)

  it('exits 4 when the emulator runs in preview mode', async () => {
    const preview = await anotherEmulator({ EMULATOR_MODE: 'preview' })
    const run = await runKit(['--backend', reference.server.url, '--emulator', preview])
    expect(run.stderr).toContain('runs in preview mode')
    expect(run.stderr).toContain('EMULATOR_MODE=strict')
    expect(run.code).toBe(4)
  }, 60_000)

  it('exits 2 with the usage on bad arguments', async () => {
    for (const args of [[], ['--backend', 'ftp://example.com'], ['--backend', 'x', '--nope']]) {
      const run = await runKit(args)
      expect(run.stderr).toContain('usage: weapp-login-conformance --backend <url>')
      expect(run.stderr).toContain('(in the weapp-login repository: npm run conformance -- <the')
      expect(run.code).toBe(2)
    }
  }, 60_000)
})
