import { networkInterfaces } from 'node:os'
import type { FastifyPluginAsync } from 'fastify'
import { hostInUrl } from './app'
import { ConfigError, loadConfig, type Config } from './config'
import { PREVIEW_PHONE_NUMBER } from './emulator/emulator'
import { startServer } from './server'

// The first line is parsed by tools (the end-to-end suite): keep its shape.
//   listening on http://127.0.0.1:3000 (WeChat API: emulator at http://127.0.0.1:3000/__wechat)
//   listening on http://0.0.0.0:3000 (WeChat API: https://api.weixin.qq.com)
// In development, with the emulator on, a later line gives the browser preview's address:
//   preview: http://127.0.0.1:3000/preview/

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

function describeStartError(error: unknown, config: Config): string {
  const code = (error as { code?: unknown }).code
  if (code === 'EADDRINUSE')
    return `port ${config.port} is in use: stop the other server or set PORT`
  if (code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine`
  return error instanceof Error ? error.message : String(error)
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address)
}

/**
 * The browser preview (preview/) runs the mini-program against this server and its emulator: for
 * development only, so it is imported only then and a production server never loads its tools.
 */
async function loadPreview(
  config: Config,
): Promise<{ plugin: FastifyPluginAsync; path: string } | null> {
  if (!config.emulator || process.env.NODE_ENV === 'production') return null
  const { previewPlugin, PREVIEW_PATH } = await import('../../preview/server/plugin')
  return { plugin: previewPlugin, path: PREVIEW_PATH }
}

async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message)
    throw error
  }
  const preview = await loadPreview(config)
  const server = await startServer({ config, plugins: preview ? [preview.plugin] : [] }).catch(
    (error: unknown) => fail(`cannot start: ${describeStartError(error, config)}`),
  )

  const wechat = config.emulator ? `emulator at ${server.wechatApiBase}` : server.wechatApiBase
  console.log(
    `listening on http://${hostInUrl(config.host)}:${server.port} (WeChat API: ${wechat})`,
  )
  if (preview) console.log(`preview: ${server.url}${preview.path}`)
  if (config.host === '0.0.0.0' || config.host === '::') {
    for (const address of lanAddresses())
      console.log(`  on the LAN: http://${address}:${server.port}`)
  }
  if (config.emulator && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    console.log(
      'warning: the emulator and its control API (/__wechat) are reachable from the network: ' +
        'for development only',
    )
  }
  if (config.emulator?.mode === 'preview') {
    console.log(
      'the emulator runs in preview mode: login codes it never minted (real DevTools codes) ' +
        `sign in one preview user, and unknown phone codes answer ${PREVIEW_PHONE_NUMBER}`,
    )
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0))
    })
  }
}

void main()
