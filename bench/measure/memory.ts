import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startInstance } from '../../test/support/cluster'
import { MEMORY_BATCHES, MEMORY_LOGINS } from '../goals'
import { progress } from '../stats'
import { load, postEach } from './load'
import { SERVER_MAIN } from './processes'
import type { Wechat } from './wechat'

// The compiled server's RSS at start, then over batches of logins (after the first batch, the
// same users again).

function rss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  if (!match) throw new Error('no VmRSS')
  return Number(match[1]) * 1024
}

export async function memory(wechat: Wechat): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'))
  const server = await startInstance(
    'memory',
    { main: SERVER_MAIN, wechat, env: { RATE_LIMIT_PER_MIN: '0' } },
    dir,
  )
  try {
    const readings = [rss(server.pid)]
    for (let batch = 1; batch <= MEMORY_BATCHES; batch++) {
      progress(`memory, batch ${batch} of ${MEMORY_BATCHES}`)
      const codes = await wechat.loginCodes(MEMORY_LOGINS, (i) => `o_bench_memory_${i}`)
      await load({ ...postEach(`${server.url}/api/auth/login`, codes), amount: codes.length })
      readings.push(rss(server.pid))
    }
    return readings
  } finally {
    await server.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
