import { readEnv, type Env } from '../common/env'

/** How the emulator treats codes it never minted: refused (strict), or signed in (preview). */
export type EmulatorMode = 'strict' | 'preview'

/** The appid and secret the emulator plays by default: obviously not a real mini-program's. */
export const EMULATOR_APPID = 'wx0000000000000000'
export const EMULATOR_SECRET = 'emulator-secret-not-for-production'
export const EMULATOR_PORT = 3100

/** The standalone emulator (`npm run emulator`), from EMULATOR_* variables. */
export interface EmulatorConfig {
  host: string
  /** 0: a free port. */
  port: number
  mode: EmulatorMode
  appid: string
  secret: string
}

/** Reads the environment; collects every problem before giving up, so one run lists them all. */
export function loadEmulatorConfig(env: Env): EmulatorConfig {
  const read = readEnv(env)
  const host = read.host('EMULATOR_HOST', '127.0.0.1')
  const port = read.integer('EMULATOR_PORT', EMULATOR_PORT, 0, 65535)
  const mode = read.raw('EMULATOR_MODE') ?? 'strict'
  if (mode !== 'strict' && mode !== 'preview') {
    read.problem(`EMULATOR_MODE must be strict or preview (got "${mode}")`)
  }
  const appid = read.appid('EMULATOR_APPID') ?? EMULATOR_APPID
  const secret = read.secret('EMULATOR_SECRET') ?? EMULATOR_SECRET
  return read.done({ host, port, mode: mode === 'preview' ? 'preview' : 'strict', appid, secret })
}
