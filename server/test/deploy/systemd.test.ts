/** The example systemd unit: systemd's own tools accept it, and judge it well hardened. */
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describeWhenAvailable } from '../../../test/support/needs'

const UNIT = resolve(__dirname, '../../deploy/weapp-login@.service')
const ANALYZE = '/usr/bin/systemd-analyze'
const missing = existsSync(ANALYZE)
  ? null
  : `${ANALYZE} is not installed (apt-get install systemd; .ci/services.sh up installs it)`

describeWhenAvailable('server/deploy/weapp-login@.service', missing, () => {
  let dir: string
  // An instance of the template, as `systemctl start weapp-login@3001` makes it.
  let instance: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weapp-login-unit-'))
    copyFileSync(UNIT, join(dir, 'weapp-login@.service'))
    instance = join(dir, 'weapp-login@3001.service')
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  const analyze = (...args: string[]) => promisify(execFile)(ANALYZE, args, { cwd: dir })

  it('passes systemd-analyze verify without a word', async () => {
    // Warnings (an unknown setting, a value it ignores) go to stderr with exit code 0.
    const { stdout, stderr } = await analyze('verify', '--man=no', instance)
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: '' })
  })

  it('is judged well hardened by systemd-analyze security', async () => {
    const { stdout } = await analyze('security', '--offline=yes', '--no-pager', instance)
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(stdout)?.[1])
    // 0 to 10; systemd calls up to 2 OK.
    expect(exposure).toBeLessThanOrEqual(2)
  })
})
