/**
 * wx.canIUse as the fakes answer it, from the base-library facts the preview plays WeChat by too
 * (preview/shared/base-library.ts).
 */
import { CAN_I_USE_WRONG, SINCE, versionAtLeast } from '../../preview/shared/base-library'

export { BEHAVIOUR_SINCE, SINCE, versionAtLeast } from '../../preview/shared/base-library'

/** The fakes answer wrongly where WeChat is reported to, so gating on canIUse shows. */
export function canIUseAt(version: string, schema: string): boolean {
  if (CAN_I_USE_WRONG.includes(schema)) return false
  const since = SINCE[schema]
  // An unknown schema is a test that forgot to say.
  if (!since) throw new Error(`the fake wx.canIUse does not know '${schema}'`)
  return versionAtLeast(version, since)
}
