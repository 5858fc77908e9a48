/**
 * `npm run openapi`: writes docs/openapi.yaml, the contract as @fastify/swagger describes the
 * server's routes (server/src/openapi.ts). server/test/openapi.test.ts fails when the committed
 * file is not what this would write.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as prettier from 'prettier'
import { buildApp } from '../src/app'
import { loadConfig } from '../src/config'

export const OPENAPI_FILE = resolve(__dirname, '../../docs/openapi.yaml')

/** The document as this checkout's routes describe it, formatted as the repository keeps it. */
export async function renderOpenapi(): Promise<string> {
  // The app opens its store as it starts: a throwaway one, never touched.
  const dataDir = await mkdtemp(join(tmpdir(), 'weapp-login-openapi-'))
  const app = await buildApp({ config: { ...loadConfig({}), dataDir }, log: false })
  try {
    await app.ready()
    const yaml = app.swagger({ yaml: true })
    const options = await prettier.resolveConfig(OPENAPI_FILE)
    return await prettier.format(yaml, { ...options, filepath: OPENAPI_FILE })
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
