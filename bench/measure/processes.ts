import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startListening } from '../../test/support/server-process'
import { parseHelperLine } from '../helpers/line'

export const SERVER_MAIN = path.resolve(__dirname, '../../server/dist/main.js')

function logFile(name: string): string {
  return path.join(os.tmpdir(), `bench-${name}-${process.pid}.log`)
}

/** A helper process of bench/helpers/, killed and its log removed by stop(). */
export async function helper(
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop(): void }> {
  const log = logFile(path.basename(script, '.ts'))
  const { child, url } = await startListening(script, env, log, parseHelperLine)
  return {
    url,
    pid: child.pid ?? 0,
    stop: () => {
      child.kill()
      fs.rmSync(log, { force: true })
    },
  }
}
