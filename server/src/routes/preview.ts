import type { FastifyPluginAsync } from 'fastify'
import type { Config } from '../config/config'

// The browser preview (preview/) runs the mini-program against this server and its emulator: a
// development tool, served only in development with the emulator on (never under
// NODE_ENV=production, even with EMULATOR=1), and imported only then, so a production server never
// loads it or its build tools.

/** What preview/server/plugin.ts exports, typed from here. */
export interface PreviewModule {
  previewPlugin: FastifyPluginAsync
  /** Where the preview's page is, e.g. /preview/. */
  PREVIEW_PATH: string
}

// A computed path keeps the preview out of `npm run build`: it runs from its TypeScript sources
// (it bundles the mini-program's, and serves its static files next to them), under `npm start`.
const PREVIEW_MODULE = '../../../preview/server/plugin'
const FROM_SOURCES = __filename.endsWith('.ts')

export function previewWanted(config: Config): boolean {
  return config.emulator !== null && !config.production
}

/** The preview's plugin and path when it is wanted and this server runs from its sources. */
export async function loadPreview(
  config: Config,
): Promise<{ plugin: FastifyPluginAsync; path: string } | null> {
  if (!previewWanted(config) || !FROM_SOURCES) return null
  const { previewPlugin, PREVIEW_PATH } = (await import(PREVIEW_MODULE)) as PreviewModule
  return { plugin: previewPlugin, path: PREVIEW_PATH }
}
