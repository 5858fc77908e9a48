/**
 * The mini-program's constructors as WeChat defines them — App, Component, Behavior, getApp —
 * backed by j-component. Each page or component module is evaluated with its own path current,
 * so its Component() call is registered with that module's template, components and styles.
 */
import { appStyles, type AppModule } from 'preview:app'
import { jComponent } from './exparser'
import { applyWxss, classPrefix } from './styles'

type Options = Record<string, unknown>

export interface Registered {
  module: AppModule
  /** The j-component id, also exparser's `is`. */
  id: string
  /** The element name and class prefix its DOM carries. */
  tagName: string
}

const registered = new Map<string, Registered>()
/** The tag a component is first used under names its element and prefixes its classes. */
const tagNames = new Map<string, string>()
let loading: AppModule | null = null
let app: Options | null = null

function idOf(modulePath: string): string {
  return `/${modulePath}`
}

function templateOf(modulePath: string): unknown {
  const template = window.__wxmlTemplates__(`${modulePath}.wxml`)
  if (typeof template !== 'function') throw new Error(`${modulePath}.wxml did not compile`)
  return template
}

/** Relation keys are paths relative to the component, as in WeChat; j-component wants ids. */
function relationsOf(modulePath: string, relations: unknown): unknown {
  if (typeof relations !== 'object' || relations === null) return relations
  const byId: Options = {}
  for (const [key, relation] of Object.entries(relations as Options)) {
    const target = key.startsWith('/')
      ? key.slice(1)
      : new URL(key, `http://x/${modulePath}`).pathname.slice(1)
    byId[idOf(target)] = { ...(relation as Options), target: idOf(target) }
  }
  return byId
}

function Component(options: Options): string {
  const module = loading
  if (!module) throw new Error('Component() must be called while a page or component loads')
  if (registered.has(module.path)) throw new Error(`${module.path} called Component() twice`)
  const tagName = module.isPage ? 'page' : (tagNames.get(module.path) ?? classPrefix(module.path))
  const prefix = module.isPage ? classPrefix(module.path) : tagName
  const own = (options.options ?? {}) as Options
  const usingComponents: Record<string, string> = {}
  for (const [tag, target] of Object.entries(module.using)) usingComponents[tag] = idOf(target)
  const id = jComponent.register({
    ...options,
    id: idOf(module.path),
    path: module.path,
    tagName,
    template: templateOf(module.path),
    usingComponents,
    relations: relationsOf(module.path, options.relations),
    // Its host carries no property values as attributes (an `aria-role` property is no ARIA).
    options: { ...own, classPrefix: prefix, reflectToAttributes: false },
  })
  // A page sees the extended libraries' styles and app.wxss, before its own as in WeChat; a
  // component only when it asks for them (addGlobalClass, or apply-shared in its options or JSON).
  const isolation = own.styleIsolation ?? module.json.styleIsolation
  const shared = own.addGlobalClass === true || isolation === 'apply-shared'
  if (module.isPage || shared) appStyles.forEach((key) => applyWxss(key, prefix))
  if (module.hasWxss) applyWxss(module.path, prefix)
  registered.set(module.path, { module, id, tagName })
  return id
}

/** Evaluates each module once, components before the pages that use them. */
export function loadModules(modules: AppModule[]): void {
  for (const module of modules) {
    for (const [tag, target] of Object.entries(module.using)) {
      if (!tagNames.has(target)) tagNames.set(target, tag)
    }
  }
  for (const module of modules) {
    loading = module
    try {
      module.load()
    } finally {
      loading = null
    }
    if (!registered.has(module.path)) {
      throw new Error(`${module.path} did not call Component(): pages use Component() here`)
    }
  }
}

export function pageOf(route: string): Registered | undefined {
  const found = registered.get(route)
  return found && found.module.isPage ? found : undefined
}

export function getApp(): Options {
  if (!app) throw new Error('getApp() before App()')
  return app
}

/** The globals a mini-program's code expects to find. */
export function installConstructors(): void {
  const g = globalThis as unknown as Options
  g.App = (options: Options) => {
    if (app) throw new Error('App() can be called only once')
    app = options
  }
  g.getApp = getApp
  g.Component = Component
  g.Behavior = (definition: Options) => jComponent.behavior(definition)
  g.Page = () => {
    throw new Error('Page() is not supported by the preview: write pages with Component()')
  }
}
