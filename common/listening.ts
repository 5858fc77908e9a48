// The first line the server and the standalone emulator print, which tools parse (the tests, the
// bench, the conformance kit's tests): one format for each, written and read only here.
//   listening on http://127.0.0.1:3000 (WeChat API: emulator at http://127.0.0.1:3000/__wechat)
//   listening on http://0.0.0.0:3000 (WeChat API: https://api.weixin.qq.com)
//   emulator listening on http://127.0.0.1:3100 (appid wx0000000000000000, secret …)

export interface ServerListening {
  /** Where it listens, as the line says it (0.0.0.0 included). */
  url: string
  /** The WeChat API it calls. */
  wechatApiBase: string
  /** Whether that is the emulator built into the server. */
  builtInEmulator: boolean
}

export interface EmulatorListening {
  url: string
  appid: string
  secret: string
}

const SERVER = /^listening on (http:\/\/\S+) \(WeChat API: (emulator at )?(\S+)\)$/
const EMULATOR = /^emulator listening on (http:\/\/\S+) \(appid (\S+), secret (\S+)\)$/

export function serverLine({ url, wechatApiBase, builtInEmulator }: ServerListening): string {
  return `listening on ${url} (WeChat API: ${builtInEmulator ? 'emulator at ' : ''}${wechatApiBase})`
}

export function parseServerLine(line: string): ServerListening | null {
  const match = SERVER.exec(line)
  if (!match) return null
  const [, url = '', builtIn, wechatApiBase = ''] = match
  return { url, wechatApiBase, builtInEmulator: builtIn !== undefined }
}

export function emulatorLine({ url, appid, secret }: EmulatorListening): string {
  return `emulator listening on ${url} (appid ${appid}, secret ${secret})`
}

export function parseEmulatorLine(line: string): EmulatorListening | null {
  const match = EMULATOR.exec(line)
  if (!match) return null
  const [, url = '', appid = '', secret = ''] = match
  return { url, appid, secret }
}
