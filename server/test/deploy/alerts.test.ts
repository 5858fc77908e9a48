/** The example alert rules: Prometheus' own tool accepts them, and each alert fires when it should. */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describeWhenAvailable } from '../../../test/support/needs'
import { PROMTOOL, promtoolMissing } from '../support/promtool'

const DEPLOY = resolve(__dirname, '../../deploy')

const promtool = (...args: string[]) => promisify(execFile)(PROMTOOL, args, { cwd: DEPLOY })

describeWhenAvailable('server/deploy/alerts.yml', promtoolMissing, () => {
  it('is a rules file promtool accepts', async () => {
    const { stdout } = await promtool('check', 'rules', 'alerts.yml')
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/)
  })

  it('fires its alerts as alerts.test.yml expects', async () => {
    const { stdout } = await promtool('test', 'rules', 'alerts.test.yml')
    expect(stdout).toContain('SUCCESS')
  })
})
