/**
 * `npm run bench`: what the mini-program's users and the server's operators feel, in one table,
 * printed and written to bench/RESULTS.md (and into the README). Counts are exact; timings are
 * medians of several runs. A benchmark reports: the counts are asserted in the tests, timings never.
 *
 * The server is measured as production runs it: compiled (`npm run build`), NODE_ENV=production,
 * with WeChat (the standalone emulator) in a process of its own. Each measurement is a file of
 * measure/; the goals are in goals.ts; report/ makes and writes the tables.
 */
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { client } from './measure/client'
import { clusterLoad } from './measure/cluster'
import { decryption } from './measure/decryption'
import { memory } from './measure/memory'
import { packageSize, weappLoginJs } from './measure/package-size'
import { postgresLoad } from './measure/postgres'
import { serverLoad } from './measure/server'
import { startWechat } from './measure/wechat'
import { report, type BenchResults } from './report/report'
import { writeReport } from './report/write'
import { progress } from './stats'

const ROOT = path.resolve(__dirname, '..')

/** `npm run build`: the benchmark measures the compiled server, as production runs it. */
function build(): void {
  const run = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`npm run build failed:\n${run.stdout}${run.stderr}`)
}

async function main(): Promise<void> {
  progress('client round trips and setData (jest, the real pages)')
  const clientResults = client()
  progress('package size')
  const size = packageSize()
  const packaged = await weappLoginJs()
  progress('npm run build')
  build()
  const wechat = await startWechat()
  let measuredServer: Pick<BenchResults, 'server' | 'postgres' | 'cluster' | 'memory'>
  try {
    measuredServer = {
      server: await serverLoad(wechat),
      postgres: await postgresLoad(wechat),
      cluster: await clusterLoad(wechat),
      memory: await memory(wechat),
    }
  } finally {
    await wechat.stop()
  }
  progress('decryption')
  const text = report({
    client: clientResults,
    size,
    packaged,
    ...measuredServer,
    decryption: decryption(),
  })
  await writeReport(text)
  console.log(text)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
