import * as path from 'node:path'
import { controlClient } from '../../emulator'
import { spawnEmulator, type EmulatorProcess } from '../../emulator/test/support/emulator-process'

const EMULATOR_MAIN = path.resolve(__dirname, '../../server/dist/emulator/main.js')

/** The standalone emulator, compiled, as the WeChat of every server measured here. */
export interface Wechat {
  url: string
  appid: string
  secret: string
  /** Login codes, each a body of POST /api/auth/login (the code alone: the schema takes no more). */
  loginCodes(count: number, openid?: (i: number) => string): Promise<{ code: string }[]>
  phoneCodes(count: number, openid: string): Promise<{ code: string }[]>
  stop(): Promise<unknown>
}

/** Runs `count` calls, 50 at a time. */
async function mint<T>(count: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => one(i + j))
    out.push(...(await Promise.all(batch)))
  }
  return out
}

/** Starts the compiled emulator (npm run build first) in a process of its own. */
export async function startWechat(): Promise<Wechat> {
  const emulator: EmulatorProcess = spawnEmulator({ EMULATOR_PORT: '0' }, EMULATOR_MAIN)
  const listening = await emulator.listening
  const control = controlClient(listening.url)
  return {
    ...listening,
    loginCodes: async (count, openid) => {
      const minted = await mint(count, (i) => control.login(openid ? { openid: openid(i) } : {}))
      return minted.map(({ code }) => ({ code }))
    },
    phoneCodes: async (count, openid) => {
      const minted = await mint(count, () => control.phone({ openid }))
      return minted.map(({ code }) => ({ code }))
    },
    stop: () => emulator.stop(),
  }
}
