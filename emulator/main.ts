import { ConfigError } from '../common/env'
import { hostInUrl } from '../common/http/origin'
import { emulatorLine } from '../common/listening'
import { loadEmulatorConfig, type EmulatorConfig } from './config'
import { PREVIEW_PHONE_NUMBER } from './world'
import { startEmulator } from './server'

// `npm run emulator`: WeChat's server API alone, for a backend of any language to run against.
// The first line is parsed by tools (common/listening.ts).

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

function describeStartError(error: unknown, config: EmulatorConfig): string {
  const code = (error as { code?: unknown }).code
  if (code === 'EADDRINUSE') {
    return `port ${config.port} is in use: stop the other process or set EMULATOR_PORT (0: any free port)`
  }
  if (code === 'EADDRNOTAVAIL')
    return `EMULATOR_HOST ${config.host} is not an address of this machine`
  return error instanceof Error ? error.message : String(error)
}

async function main(): Promise<void> {
  let config: EmulatorConfig
  try {
    config = loadEmulatorConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message)
    throw error
  }
  const running = await startEmulator(config).catch((error: unknown) =>
    fail(`cannot start: ${describeStartError(error, config)}`),
  )

  const base = `http://${hostInUrl(config.host)}:${running.port}`
  console.log(emulatorLine({ url: base, appid: config.appid, secret: config.secret }))
  console.log(
    [
      `Point your backend's WeChat API base URL at ${base} (instead of https://api.weixin.qq.com)`,
      'and give it the appid and secret above. Then mint what a phone would send your backend:',
      `  curl -s -X POST ${running.url}/control/login -H 'content-type: application/json' -d '{}'`,
      "gives a login code for wx.login's place; /control/phone and /control/userinfo give the rest",
      '(docs/api.md, "The WeChat API emulator"). Ctrl-C stops it.',
    ].join('\n'),
  )
  if (!['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    console.log(
      'warning: the emulator hands out codes for any user to anyone who can reach it: ' +
        'for development only',
    )
  }
  if (config.mode === 'preview') {
    console.log(
      'preview mode: login codes it never minted sign in one preview user, and unknown phone ' +
        `codes answer ${PREVIEW_PHONE_NUMBER}`,
    )
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0))
    })
  }
}

void main()
