/**
 * The base library picked in the panel, and what it has: below an API's version the API is absent
 * from wx and canIUse says no, as on an old WeChat.
 */
import { SINCE, versionAtLeast } from '../../shared/base-library'
import { readSettings } from '../../shared/state'

export { BEHAVIOUR_SINCE } from '../../shared/base-library'

/** The base library picked in the panel; a change takes effect at the next launch. */
export const sdkVersion = readSettings().sdkVersion

export function atLeast(version: string): boolean {
  return versionAtLeast(sdkVersion, version)
}

/** Whether a gated name (an API or a `component.attribute.value`) exists in this base library. */
export function available(name: string): boolean {
  const since = SINCE[name]
  return since === undefined || atLeast(since)
}
