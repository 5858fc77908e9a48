import type { EnvReader } from '../../../common/env'
import { redactUrl } from '../../../common/redact'
import { EMULATOR_APPID, EMULATOR_SECRET, type EmulatorMode } from '../../../emulator'

export const WECHAT_API_BASE = 'https://api.weixin.qq.com'

/** Whether only this machine can reach a server listening on `host`. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** Which WeChat the server talks to, and whether it runs in production. */
export interface WechatTarget {
  /**
   * NODE_ENV=production: no built-in emulator without EMULATOR=1, and no development tools (the
   * browser preview) even with it.
   */
  production: boolean
  wechat: {
    appid: string
    secret: string
    /** null: the emulator mounted on this server, at its real bound port. */
    apiBase: string | null
  }
  /**
   * The built-in emulator, mounted at /__wechat: on with EMULATOR=1, or by default without
   * credentials outside NODE_ENV=production; null against WeChat (or an emulator elsewhere).
   */
  emulator: { mode: EmulatorMode } | null
}

/**
 * NODE_ENV, WECHAT_APPID, WECHAT_SECRET, WECHAT_API_BASE, EMULATOR and EMULATOR_MODE: real
 * WeChat with credentials, the built-in emulator without, or an emulator running elsewhere.
 */
export function readWechatTarget(read: EnvReader, host: string): WechatTarget {
  const { raw, problem } = read
  const appid = read.appid('WECHAT_APPID')
  const secret = read.secret('WECHAT_SECRET')
  if ((appid === undefined) !== (secret === undefined)) {
    problem(
      'set both WECHAT_APPID and WECHAT_SECRET (real WeChat) or neither (the built-in emulator)',
    )
  }
  const real = appid !== undefined && secret !== undefined
  const nodeEnv = raw('NODE_ENV')
  const production = nodeEnv === 'production'
  // "Production", "prod" or a stray space would otherwise run the emulator, which signs anyone in.
  if (!production && nodeEnv !== undefined && /prod/i.test(nodeEnv)) {
    problem(
      `NODE_ENV must be exactly production to run in production (got "${nodeEnv}"); ` +
        'anything else is development, with the emulator',
    )
  }

  const apiBase = raw('WECHAT_API_BASE')
  let apiBaseUrl: string | null = null
  if (apiBase !== undefined) {
    const url = URL.canParse(apiBase) ? new URL(apiBase) : null
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
      problem(
        `WECHAT_API_BASE must be an http(s) URL without query or fragment (got "${redactUrl(apiBase)}")`,
      )
    } else {
      apiBaseUrl = url.href.replace(/\/+$/, '')
    }
  }
  const emulatorOn = builtInEmulator(
    raw('EMULATOR'),
    { production, real, elsewhere: apiBase !== undefined },
    problem,
  )
  // In development it is a warning (main.ts): a phone on the LAN needs the emulator there. In
  // production, whoever reaches the control API reads any user's session_key and signs in as
  // anyone: only a loopback HOST keeps the network out.
  if (emulatorOn && production && !isLoopbackHost(host)) {
    problem(
      `EMULATOR=1 under NODE_ENV=production listens on HOST=${host}: anyone who reaches it can read ` +
        "any session_key from the emulator's control API and sign in as anyone. Set " +
        'HOST=127.0.0.1, or WECHAT_APPID and WECHAT_SECRET to use WeChat',
    )
  }

  const emulatorMode = raw('EMULATOR_MODE') ?? 'preview'
  if (emulatorMode !== 'preview' && emulatorMode !== 'strict') {
    problem(`EMULATOR_MODE must be preview or strict (got "${emulatorMode}")`)
  } else if (real && raw('EMULATOR_MODE') !== undefined) {
    problem('EMULATOR_MODE applies only to the built-in emulator, not with WECHAT_APPID set')
  }

  return {
    production,
    wechat: real
      ? { appid, secret, apiBase: apiBaseUrl ?? WECHAT_API_BASE }
      : { appid: EMULATOR_APPID, secret: EMULATOR_SECRET, apiBase: apiBaseUrl },
    emulator: emulatorOn ? { mode: emulatorMode === 'strict' ? 'strict' : 'preview' } : null,
  }
}

/**
 * Whether to mount the built-in emulator, which signs in anyone who asks: never by accident in
 * production, never alongside credentials, which mean a WeChat elsewhere, and never beside
 * WECHAT_API_BASE, which names the emulator to call (one nobody calls would only sign people in).
 */
function builtInEmulator(
  emulator: string | undefined,
  wechat: { production: boolean; real: boolean; elsewhere: boolean },
  problem: (message: string) => void,
): boolean {
  const { production, real, elsewhere } = wechat
  if (emulator === '1') {
    if (real) {
      problem(
        'EMULATOR=1 runs the built-in emulator with its own appid: unset WECHAT_APPID and ' +
          'WECHAT_SECRET, or unset EMULATOR to call WeChat with them',
      )
    } else if (elsewhere) {
      problem(
        'EMULATOR=1 runs the built-in emulator, and WECHAT_API_BASE names another one: unset ' +
          'one of them',
      )
    }
    return !real && !elsewhere
  }
  if (emulator !== undefined && emulator !== '0') {
    problem(`EMULATOR must be 1 (the built-in emulator) or 0 (got "${emulator}")`)
    return false
  }
  if (real) return false
  if (emulator === '0' && !elsewhere) {
    problem(
      'EMULATOR=0 turns the built-in emulator off: set WECHAT_APPID and WECHAT_SECRET ' +
        '(with WECHAT_API_BASE for an emulator running elsewhere)',
    )
    return false
  }
  if (production) {
    problem(
      'NODE_ENV=production needs WeChat credentials: set WECHAT_APPID and WECHAT_SECRET ' +
        "(your mini-program's, from mp.weixin.qq.com 开发管理 → 开发设置; or a standalone " +
        "emulator's, with WECHAT_API_BASE), or EMULATOR=1 to run the built-in emulator anyway",
    )
    return false
  }
  return !elsewhere
}
