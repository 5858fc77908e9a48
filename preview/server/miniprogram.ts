/**
 * What the preview reads of the mini-program as WeChat's tools would: app.json, each page's and
 * component's JSON, and the tree of usingComponents. Nothing here is specific to this app's pages.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

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

/** '/components/x/index' from the root, or './x' and '../x' from the module using it. */
function resolveUsing(from: string, target: string): string {
  if (target.startsWith('plugin://')) throw new Error(`${from}: plugins are not supported`)
  const resolved = target.startsWith('/')
    ? path.posix.normalize(target.slice(1))
    : path.posix.join(path.posix.dirname(from), target)
  return resolved.replace(/\.(js|ts)$/, '')
}

export function readMiniProgram(projectRoot: string): MiniProgram {
  const project = readJson<{ miniprogramRoot?: string; appid?: string }>(
    path.join(projectRoot, 'project.config.json'),
  )
  const root = path.resolve(projectRoot, project.miniprogramRoot ?? '.')
  const appJson = readJson<AppJson>(path.join(root, 'app.json'))
  const modules = new Map<string, Module>()
  const ordered: Module[] = []

  const visit = (modulePath: string, isPage: boolean, chain: string[]) => {
    if (modules.has(modulePath)) return
    if (chain.includes(modulePath)) throw new Error(`usingComponents cycle: ${chain.join(' → ')}`)
    const jsonFile = path.join(root, `${modulePath}.json`)
    const json = fs.existsSync(jsonFile) ? readJson<ComponentJson>(jsonFile) : {}
    if (!isPage && json.component !== true) {
      throw new Error(`${modulePath}.json must say "component": true`)
    }
    const using: Record<string, string> = {}
    const declared = { ...appJson.usingComponents, ...json.usingComponents }
    for (const [tag, target] of Object.entries(declared)) {
      const resolved = resolveUsing(modulePath, target)
      if (resolved === modulePath) continue
      using[tag] = resolved
      visit(resolved, false, [...chain, modulePath])
    }
    const hasWxss = fs.existsSync(path.join(root, `${modulePath}.wxss`))
    const module: Module = { path: modulePath, isPage, json, using, hasWxss }
    modules.set(modulePath, module)
    ordered.push(module)
  }
  for (const page of pagesOf(appJson)) visit(page, true, [])

  const themeFile = typeof appJson.themeLocation === 'string' ? appJson.themeLocation : null
  return {
    root,
    appJson,
    theme: appJson.darkmode === true && themeFile ? readJson(path.join(root, themeFile)) : {},
    appid: project.appid ?? 'wx0000000000000000',
    // Dependencies were pushed before their users, so components precede the pages using them.
    modules: ordered,
  }
}

/** The module's script: WeChat DevTools compiles .ts itself, so either extension is a source. */
export function scriptOf(root: string, modulePath: string): string {
  for (const ext of ['.ts', '.js']) {
    const file = path.join(root, modulePath + ext)
    if (fs.existsSync(file)) return file
  }
  throw new Error(`${modulePath}: no .ts or .js file`)
}
