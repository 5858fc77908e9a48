/**
 * The parts of WeChat's component engine the preview drives: exparser (the framework WeChat's
 * webview runs components with) and j-component (its packaging for tests, which the preview's
 * pages run on). Neither ships types for these internals.
 */
declare module 'miniprogram-exparser' {
  export interface ExparserEvent {
    type: string
    detail: unknown
  }
  export interface ExparserNode {
    $$: HTMLElement | undefined
    id: string
    dataset: Record<string, unknown>
    childNodes: ExparserNode[]
    shadowRoot?: ExparserNode
    parentNode: ExparserNode | null
    triggerLifeTime(name: string, args: unknown[]): void
    triggerPageLifeTime(name: string, args: unknown[]): void
    hasBehavior(behavior: unknown): boolean
    triggerEvent(name: string, detail?: unknown, options?: object): void
  }
  export const Element: {
    new (): ExparserNode
    pretendAttached(node: ExparserNode): void
    pretendDetached(node: ExparserNode): void
    getMethodCaller(node: ExparserNode): unknown
  }
  export const Component: {
    new (): ExparserNode
    hasPublicProperty(node: ExparserNode, name: string): boolean
    getMethodCaller(node: ExparserNode): unknown
  }
  export const Event: {
    create(
      name: string,
      detail: unknown,
      options: {
        originalEvent?: Event
        bubbles?: boolean
        capturePhase?: boolean
        composed?: boolean
        extraFields?: Record<string, unknown>
      },
    ): ExparserEvent
    dispatchEvent(target: EventTarget | ExparserNode, event: ExparserEvent): void
  }
}

declare module 'j-component/src/index' {
  import type { ExparserNode } from 'miniprogram-exparser'

  export interface RootComponent {
    readonly dom: HTMLElement
    readonly instance: Record<string, unknown>
    readonly _exparserNode: ExparserNode
    detach(): void
  }
  export function register(definition: Record<string, unknown>): string
  export function behavior(definition: Record<string, unknown>): string
  export function create(
    id: string,
    properties?: Record<string, unknown>,
  ): RootComponent | undefined
}

declare module 'preview:app' {
  export interface AppModule {
    path: string
    isPage: boolean
    json: { usingComponents?: Record<string, string>; [key: string]: unknown }
    using: Record<string, string>
    hasWxss: boolean
    load(): unknown
  }
  export const appJson: {
    pages: string[]
    entryPagePath?: string
    window?: Record<string, unknown>
    networkTimeout?: { request?: number; uploadFile?: number }
  }
  export const appid: string
  /** theme.json (app.json's themeLocation): each scheme's values for `@name` in the JSONs. */
  export const theme: { light?: Record<string, string>; dark?: Record<string, string> }
  export const modules: AppModule[]
  /** The stylesheets every page gets, in order: extended libraries', then 'app' (app.wxss). */
  export const appStyles: string[]
  export function loadApp(): unknown
}

interface Window {
  __transformRpx__(rpx: number, deviceWidth?: number): number
  __rpxRecalculatingFuncs__: Array<(size: { width: number }) => void>
  __styleSheetManager2__: {
    addItem(key: string, path: string): void
    setCss(key: string, css: string): void
  }
  __wxmlTemplates__: (path: string) => unknown
  __wxssRewriters__: Record<string, (suffix: string, options?: object) => void>
  __webview_engine_version__: number
}
