/** The engine's own access to exparser and j-component, in one place. */
import * as exparser from 'miniprogram-exparser'
import * as jComponent from 'j-component/src/index'

export { exparser, jComponent }
export type { ExparserNode } from 'miniprogram-exparser'
export type { RootComponent } from 'j-component/src/index'
