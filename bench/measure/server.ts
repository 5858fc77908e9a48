import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startInstance } from '../../test/support/cluster'
import { median } from '../stats'
import {
  CODES_PER_RUN,
  load,
  measured,
  medianLoad,
  postEach,
  postJson,
  interleaved,
  type Load,
} from './load'
import { helper, SERVER_MAIN } from './processes'
import type { Wechat } from './wechat'

/** Rounds of the interleaved server targets. */
export const ROUNDS = 5

export interface ServerResults {
  login: Load
  reference: Load
  phone: Load
  constant: Load
  /** Median over rounds of login/reference requests per second. */
  loginVsReference: number
  /** Median over rounds of the reference's CPU per login over the server's. */
  cpuVsReference: number
}

/** The login route against its physical reference, in interleaved rounds. */
export async function serverLoad(wechat: Wechat): Promise<ServerResults> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-server-'))
  const server = await startInstance(
    'server',
    { main: SERVER_MAIN, wechat, env: { RATE_LIMIT_PER_MIN: '0' } },
    dir,
  )
  fs.mkdirSync(path.join(dir, 'reference'))
  const upstream = await helper('bench/helpers/upstream.ts', {})
  const reference = await helper('bench/helpers/reference-server.ts', {
    UPSTREAM_URL: upstream.url,
    DATA_DIR: path.join(dir, 'reference'),
  })
  try {
    const [{ code }] = await wechat.loginCodes(1, () => 'o_bench_phone')
    const { token } = await postJson<{ token: string }>(`${server.url}/api/auth/login`, { code })
    let referenceCodes = 0
    const referenceBodies = (count: number) =>
      Array.from({ length: count }, () => ({ code: `bench_${referenceCodes++}` }))

    const targets: Record<
      'login' | 'reference' | 'phone' | 'constant',
      (seconds: number) => Promise<Load>
    > = {
      login: async (seconds) => {
        const codes = await wechat.loginCodes(CODES_PER_RUN)
        return measured([server.pid], () =>
          load({ ...postEach(`${server.url}/api/auth/login`, codes), duration: seconds }),
        )
      },
      reference: (seconds) =>
        measured([reference.pid], () =>
          load({
            ...postEach(`${reference.url}/login`, referenceBodies(CODES_PER_RUN)),
            duration: seconds,
          }),
        ),
      phone: async (seconds) => {
        const codes = await wechat.phoneCodes(CODES_PER_RUN, 'o_bench_phone')
        return measured([server.pid], () =>
          load({ ...postEach(`${server.url}/api/auth/phone`, codes, token), duration: seconds }),
        )
      },
      constant: (seconds) =>
        measured([reference.pid], () => load({ url: `${reference.url}/bare`, duration: seconds })),
    }
    const runs = await interleaved('server', targets, ROUNDS)
    const perRound = (f: (round: number) => number) => median(runs.login.map((_, r) => f(r)))
    return {
      login: medianLoad(runs.login),
      reference: medianLoad(runs.reference),
      phone: medianLoad(runs.phone),
      constant: medianLoad(runs.constant),
      loginVsReference: perRound((r) => runs.login[r]!.rps / runs.reference[r]!.rps),
      cpuVsReference: perRound((r) => runs.reference[r]!.cpuMs / runs.login[r]!.cpuMs),
    }
  } finally {
    reference.stop()
    upstream.stop()
    await server.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
