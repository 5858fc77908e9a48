/**
 * axe-core, the accessibility engine, run inside the phone on what the mini-program draws (its
 * page or the dialog on top): the serious and critical violations, each with where it is.
 */
import { createRequire } from 'node:module'
import type * as Axe from 'axe-core'
import type { Frame } from 'playwright-core'

const AXE = createRequire(__filename).resolve('axe-core/axe.min.js')

export async function seriousViolations(frame: Frame, scopeSelector: string): Promise<string[]> {
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.addScriptTag({ path: AXE })
  return frame.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: typeof Axe }).axe
    const scope = document.querySelector(selector)
    if (!scope) throw new Error(`nothing matches ${selector}`)
    const { violations } = await axe.run(scope, { resultTypes: ['violations'] })
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) =>
        v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary}`),
      )
  }, scopeSelector)
}
