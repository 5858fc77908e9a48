import {
  APPID_PATTERN,
  ConfigError,
  EMULATOR_APPID,
  EMULATOR_SECRET,
  HOST_PATTERN,
  SECRET_PATTERN,
  type EmulatorMode,
} from '../config'

/** The standalone emulator (`npm run emulator`), from EMULATOR_* variables. */
export interface EmulatorConfig {
  host: string
  /** 0: a free port. */
  port: number
  mode: EmulatorMode
  appid: string
  secret: string
}

export const EMULATOR_PORT = 3100

type Env = Readonly<Record<string, string | undefined>>

/** Reads the environment; collects every problem before giving up, so one run lists them all. */
export function loadEmulatorConfig(env: Env): EmulatorConfig {
  const problems: string[] = []
  // An empty value counts as unset, as for the server.
  const raw = (name: string): string | undefined => (env[name] === '' ? undefined : env[name])

  const host = raw('EMULATOR_HOST') ?? '127.0.0.1'
  if (!HOST_PATTERN.test(host)) {
    problems.push(`EMULATOR_HOST must be a host name or an IP address (got "${host}")`)
  }

  const portText = raw('EMULATOR_PORT')
  const port = portText === undefined ? EMULATOR_PORT : Number(portText)
  if (portText !== undefined && (!/^\d+$/.test(portText) || port > 65535)) {
    problems.push(`EMULATOR_PORT must be an integer from 0 to 65535 (got "${portText}")`)
  }

  const mode = raw('EMULATOR_MODE') ?? 'strict'
  if (mode !== 'strict' && mode !== 'preview') {
    problems.push(`EMULATOR_MODE must be strict or preview (got "${mode}")`)
  }

  const appid = raw('EMULATOR_APPID') ?? EMULATOR_APPID
  if (!APPID_PATTERN.test(appid)) {
    problems.push(`EMULATOR_APPID must look like wx followed by 16 hex digits (got "${appid}")`)
  }
  const secret = raw('EMULATOR_SECRET') ?? EMULATOR_SECRET
  // Not echoed, as for WECHAT_SECRET: a value that does not parse may hold anything.
  if (!SECRET_PATTERN.test(secret)) {
    problems.push('EMULATOR_SECRET must be 1 to 128 printable characters without spaces')
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return { host, port, mode: mode === 'preview' ? 'preview' : 'strict', appid, secret }
}
