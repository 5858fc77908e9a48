/**
 * What the preview reads of the mini-program as WeChat's tools would: app.json, each page's and
 * component's JSON, and the tree of usingComponents. Nothing here is specific to this app's pages.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { extendedModule, extendedStyles } from './extended-lib'

export interface ComponentJson {
  component?: boolean
  usingComponents?: Record<string, string>
  navigationBarTitleText?: string
  [key: string]: unknown
}

export interface AppJson {
  pages: string[]
  entryPagePath?: string
  window?: Record<string, unknown>
  usingComponents?: Record<string, string>
  subpackages?: Array<{ root: string; pages: string[] }>
  subPackages?: Array<{ root: string; pages: string[] }>
  networkTimeout?: { request?: number; uploadFile?: number }
  [key: string]: unknown
}

/** A page or a component: its path from the mini-program root, without extension. */
export interface Module {
  path: string
  /** Its files, without extension: under the root, or in an extended library's npm package. */
  source: string
  isPage: boolean
  json: ComponentJson
  /** usingComponents (app-wide ones included), each resolved to a module path. */
  using: Record<string, string>
  hasWxss: boolean
}

export interface MiniProgram {
  root: string
  appJson: AppJson
  /** theme.json when app.json turns darkmode on: `@name` values per colour scheme. */
  theme: { light?: Record<string, string>; dark?: Record<string, string> }
  appid: string
  /** Components first, in dependency order, then pages in app.json order. */
  modules: Module[]
  /** The stylesheets every page gets, in order: extended libraries' (useExtendedLib), then 'app'. */
  appStyles: Array<{ path: string; source: string }>
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
}

function pagesOf(app: AppJson): string[] {
  const packages = app.subpackages ?? app.subPackages ?? []
  return [...app.pages, ...packages.flatMap((p) => p.pages.map((page) => `${p.root}/${page}`))]
}

/**
 * '/components/x/index' from the root, './x' and '../x' from the module using it, and
 * 'weui-miniprogram/x/x' in an extended library the app turns on.
 */
function resolveUsing(
  root: string,
  appJson: AppJson,
  from: { path: string; source: string },
  target: string,
): { modulePath: string; source: string } {
  if (target.startsWith('plugin://')) throw new Error(`${from.path}: plugins are not supported`)
  if (!target.startsWith('/') && !target.startsWith('.')) {
    const extended = extendedModule(appJson, target)
    if (extended) return extended
  }
  const relative = target.startsWith('/')
    ? path.posix.normalize(target.slice(1))
    : path.posix.join(path.posix.dirname(from.path), target)
  const modulePath = relative.replace(/\.(js|ts)$/, '')
  // Relative paths inside a library stay in its package, as its own files are laid out.
  const source = target.startsWith('/')
    ? path.join(root, modulePath)
    : path.join(path.dirname(from.source), target).replace(/\.(js|ts)$/, '')
  return { modulePath, source }
}

export function readMiniProgram(projectRoot: string): MiniProgram {
  const project = readJson<{ miniprogramRoot?: string; appid?: string }>(
    path.join(projectRoot, 'project.config.json'),
  )
  const root = path.resolve(projectRoot, project.miniprogramRoot ?? '.')
  const appJson = readJson<AppJson>(path.join(root, 'app.json'))
  const modules = new Map<string, Module>()
  const ordered: Module[] = []

  const visit = (modulePath: string, source: string, isPage: boolean, chain: string[]) => {
    if (modules.has(modulePath)) return
    if (chain.includes(modulePath)) throw new Error(`usingComponents cycle: ${chain.join(' → ')}`)
    const jsonFile = `${source}.json`
    const json = fs.existsSync(jsonFile) ? readJson<ComponentJson>(jsonFile) : {}
    if (!isPage && json.component !== true) {
      throw new Error(`${modulePath}.json must say "component": true`)
    }
    const using: Record<string, string> = {}
    const declared = { ...appJson.usingComponents, ...json.usingComponents }
    for (const [tag, target] of Object.entries(declared)) {
      const resolved = resolveUsing(root, appJson, { path: modulePath, source }, target)
      if (resolved.modulePath === modulePath) continue
      using[tag] = resolved.modulePath
      visit(resolved.modulePath, resolved.source, false, [...chain, modulePath])
    }
    const hasWxss = fs.existsSync(`${source}.wxss`)
    const module: Module = { path: modulePath, source, isPage, json, using, hasWxss }
    modules.set(modulePath, module)
    ordered.push(module)
  }
  for (const page of pagesOf(appJson)) visit(page, path.join(root, page), true, [])

  const themeFile = typeof appJson.themeLocation === 'string' ? appJson.themeLocation : null
  return {
    root,
    appJson,
    theme: appJson.darkmode === true && themeFile ? readJson(path.join(root, themeFile)) : {},
    appid: project.appid ?? 'wx0000000000000000',
    // Dependencies were pushed before their users, so components precede the pages using them.
    modules: ordered,
    appStyles: [...extendedStyles(appJson), { path: 'app', source: path.join(root, 'app') }],
  }
}

/** The module's script: WeChat DevTools compiles .ts itself, so either extension is a source. */
export function scriptOf(source: string): string {
  for (const ext of ['.ts', '.js']) {
    const file = source + ext
    if (fs.existsSync(file)) return file
  }
  throw new Error(`${source}: no .ts or .js file`)
}
