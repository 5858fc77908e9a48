/**
 * The page stack WeChat keeps: each page created from its registered component, its lifecycle run
 * in WeChat's order (created, attached, onLoad, onShow, ready, onReady; onHide when covered,
 * onUnload when closed), at most ten deep, the navigation bar following the top page.
 */
import { exparser, jComponent, type ExparserNode, type RootComponent } from './exparser'
import { pageOf } from './registry'

export interface PageEntry {
  route: string
  query: Record<string, string>
  root: RootComponent
  /** The page instance: what getCurrentPages() returns and `this` is in the page's methods. */
  instance: Record<string, unknown>
  frame: HTMLElement
  title: string
}

export interface RouterView {
  /** Where page frames go. */
  container: HTMLElement
  /** The navigation bar shows the top page. */
  update(top: PageEntry, depth: number): void
  titleOf(route: string): string
}

const MAX_DEPTH = 10

interface Target {
  route: string
  query: Record<string, string>
  /** The page's registered component. */
  id: string
}

export class RouteError extends Error {}

function call(instance: Record<string, unknown>, name: string, ...args: unknown[]): void {
  const method = instance[name]
  if (typeof method === 'function') method.apply(instance, args)
}

/** ready, in the order j-component's attach() runs it. */
function triggerReady(node: ExparserNode): void {
  if (node instanceof exparser.Component) {
    if (node.shadowRoot instanceof exparser.Element) triggerReady(node.shadowRoot)
    node.triggerLifeTime('ready', [])
  }
  node.childNodes.forEach((child) => {
    if (child instanceof exparser.Element) triggerReady(child)
  })
}

export function parseUrl(
  url: string,
  from?: string,
): { route: string; query: Record<string, string> } {
  const base = from ? `http://x/${from}` : 'http://x/'
  const parsed = new URL(url, base)
  const query: Record<string, string> = {}
  parsed.searchParams.forEach((value, key) => (query[key] = value))
  return { route: parsed.pathname.replace(/^\//, ''), query }
}

export class Router {
  readonly stack: PageEntry[] = []

  constructor(private readonly view: RouterView) {}

  get top(): PageEntry | undefined {
    return this.stack[this.stack.length - 1]
  }

  navigateTo(url: string): void {
    const target = this.resolve(url)
    if (this.stack.length >= MAX_DEPTH) throw new RouteError('webview count limit exceed')
    if (this.top) this.hide(this.top)
    this.open(target)
  }

  redirectTo(url: string): void {
    const target = this.resolve(url)
    this.close(Math.min(1, this.stack.length))
    this.open(target)
  }

  reLaunch(url: string): void {
    const target = this.resolve(url)
    this.close(this.stack.length)
    this.open(target)
  }

  navigateBack(delta = 1): void {
    if (this.stack.length <= 1) throw new RouteError('cannot navigate back at first page.')
    this.close(Math.min(Math.max(1, delta), this.stack.length - 1))
    const top = this.top
    if (top) this.show(top)
  }

  /** Unloads the top `count` pages, the top first. */
  private close(count: number): void {
    for (const entry of this.stack.splice(this.stack.length - count).reverse()) this.unload(entry)
  }

  setTitle(title: string): void {
    const top = this.top
    if (!top) return
    top.title = title
    this.view.update(top, this.stack.length)
  }

  private resolve(url: string): Target {
    const target = parseUrl(url, this.top?.route)
    const page = pageOf(target.route)
    if (!page) throw new RouteError(`page "${target.route}" is not found`)
    return { ...target, id: page.id }
  }

  private open({ route, query, id }: Target): void {
    const root = jComponent.create(id, query)
    if (!root) throw new RouteError(`page "${route}" is not registered`)
    const frame = document.createElement('div')
    frame.className = 'page-frame'
    frame.dataset.route = route
    const scroller = document.createElement('div')
    scroller.className = 'page-scroll'
    frame.appendChild(scroller)
    this.view.container.appendChild(frame)

    const instance = root.instance
    instance.route = route
    instance.options = query
    const entry: PageEntry = {
      route,
      query,
      root,
      instance,
      frame,
      title: this.view.titleOf(route),
    }
    this.stack.push(entry)
    this.view.update(entry, this.stack.length)

    scroller.appendChild(root.dom)
    exparser.Element.pretendAttached(root._exparserNode)
    call(instance, 'onLoad', { ...query })
    this.show(entry)
    triggerReady(root._exparserNode)
    call(instance, 'onReady')
  }

  private show(entry: PageEntry): void {
    entry.frame.hidden = false
    this.view.update(entry, this.stack.length)
    call(entry.instance, 'onShow')
    entry.root._exparserNode.triggerPageLifeTime('show', [])
  }

  private hide(entry: PageEntry): void {
    call(entry.instance, 'onHide')
    entry.root._exparserNode.triggerPageLifeTime('hide', [])
    entry.frame.hidden = true
  }

  private unload(entry: PageEntry): void {
    call(entry.instance, 'onUnload')
    exparser.Element.pretendDetached(entry.root._exparserNode)
    entry.frame.remove()
  }
}
