import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { RoundTrips, SetDataFlow } from '../client.bench'

const ROOT = path.resolve(__dirname, '../..')

export interface ClientResults {
  roundTrips: RoundTrips[]
  setData: SetDataFlow[]
}

/** Round trips and setData, counted on the real pages by bench/client.bench.ts under jest. */
export function client(): ClientResults {
  const out = path.join(os.tmpdir(), `bench-client-${process.pid}.json`)
  const jest = path.join(ROOT, 'node_modules/jest/bin/jest.js')
  const run = spawnSync(process.execPath, [jest, '--config', 'bench/jest.config.js'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_OUT: out },
    encoding: 'utf8',
  })
  if (run.status !== 0) throw new Error(`the client benchmark failed:\n${run.stderr}`)
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as ClientResults
  fs.rmSync(out)
  return result
}
