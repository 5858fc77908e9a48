/**
 * WeChat's extended libraries (app.json `useExtendedLib`), served as WeChat serves them: from
 * their npm package, outside the mini-program's package. A page names a component of one by its
 * package path (`weui-miniprogram/cells/cells`); WeChat mounts the library under
 * `miniprogram_npm/<package>/`, and the library's stylesheet applies before app.wxss.
 */
import * as path from 'node:path'

interface ExtendedLib {
  /** The npm package WeChat's extended library is built from. */
  npm: string
  /** The built mini-program files in the package (its `miniprogram` field). */
  dist: string
  /** The stylesheet WeChat adds to the app's styles, relative to `dist`. */
  style: string
}

/** The libraries the preview knows, by their `useExtendedLib` key. */
const LIBS: Readonly<Record<string, ExtendedLib>> = {
  weui: { npm: 'weui-miniprogram', dist: 'miniprogram_dist', style: 'weui-wxss/dist/style/weui' },
}

/** app.json, as far as it names extended libraries. */
type AppJson = { useExtendedLib?: unknown; [key: string]: unknown }

/** Where WeChat mounts an extended library in the app's paths. */
const MOUNT = 'miniprogram_npm'

/** The libraries app.json turns on. */
function enabled(appJson: AppJson): ExtendedLib[] {
  const use = (appJson.useExtendedLib ?? {}) as Record<string, unknown>
  return Object.entries(use)
    .filter(([, on]) => on === true)
    .map(([name]) => {
      const lib = LIBS[name]
      if (!lib) throw new Error(`useExtendedLib.${name}: the preview does not know this library`)
      return lib
    })
}

function distOf(lib: ExtendedLib): string {
  return path.join(path.dirname(require.resolve(`${lib.npm}/package.json`)), lib.dist)
}

/**
 * A usingComponents target in an enabled library: its module path under `miniprogram_npm/`
 * and the file it is read from (without extension). null for any other target.
 */
export function extendedModule(
  appJson: AppJson,
  target: string,
): { modulePath: string; source: string } | null {
  const lib = enabled(appJson).find((l) => target.startsWith(`${l.npm}/`))
  if (!lib) return null
  const inLib = path.posix.normalize(target.slice(lib.npm.length + 1)).replace(/\.js$/, '')
  if (inLib.startsWith('..')) throw new Error(`${target}: outside ${lib.npm}`)
  return { modulePath: `${MOUNT}/${lib.npm}/${inLib}`, source: path.join(distOf(lib), inLib) }
}

/** The enabled libraries' stylesheets: module-like path and source file, without extension. */
export function extendedStyles(appJson: AppJson): Array<{ path: string; source: string }> {
  return enabled(appJson).map((lib) => ({
    path: `${MOUNT}/${lib.npm}/${lib.style}`,
    source: path.join(distOf(lib), lib.style),
  }))
}
