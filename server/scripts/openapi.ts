/**
 * `npm run openapi`: writes docs/openapi.yaml, the contract as @fastify/swagger describes the
 * server's routes (server/src/openapi.ts). server/test/openapi.test.ts fails when the committed
 * file is not what this would write. Generated, so Prettier leaves it as it is.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildApp } from '../src/app'
import { loadConfig } from '../src/config/config'

export const OPENAPI_FILE = resolve(__dirname, '../../docs/openapi.yaml')

/** The document as this checkout's routes describe it. */
export async function renderOpenapi(): Promise<string> {
  // The app opens its store as it starts: a throwaway one, never touched.
  const dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-openapi-'))
  const app = await buildApp({ config: { ...loadConfig({}), dataDir }, log: false })
  try {
    await app.ready()
    return app.swagger({ yaml: true })
  } finally {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (require.main === module) {
  renderOpenapi()
    .then((text) => writeFile(OPENAPI_FILE, text))
    .then(
      () => console.log(`wrote ${OPENAPI_FILE}`),
      (error: unknown) => {
        console.error(error)
        process.exitCode = 1
      },
    )
}
