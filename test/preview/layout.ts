/**
 * The layout check: runs in the page (Playwright serialises `layoutProblems`) and reads element
 * boxes as the browser laid them out. Text that overlaps or touches a control it is not part of,
 * text over other text, text beyond the screen's edges and text cut by a box that hides overflow
 * are problems; text cut on purpose (text-overflow: ellipsis) is not.
 */
export interface LayoutProblem {
  problem: 'touches a control' | 'overlaps text' | 'leaves the screen' | 'is cut off'
  text: string
  /** The control or text it collides with, or the box that cuts it. */
  other?: string
}

/** Self-contained: it is sent to the browser as source and run there. */
export function layoutProblems(scopeSelector: string): LayoutProblem[] {
  /** Text must keep this far (px) from a control that does not contain it. */
  const GAP = 4
  const scope = document.querySelector(scopeSelector)
  if (!scope) throw new Error(`nothing matches ${scopeSelector}`)
  const width = document.documentElement.clientWidth
  const label = (element: Element) => {
    const id = element.id ? `#${element.id}` : ''
    const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 24)
    return `${element.tagName.toLowerCase()}${id} "${text}"`
  }
  const visible = (rect: DOMRect) => rect.width > 0 && rect.height > 0
  const gap = (a: DOMRect, b: DOMRect) =>
    Math.max(a.left - b.right, b.left - a.right, a.top - b.bottom, b.top - a.bottom)

  const controls = Array.from(
    scope.querySelectorAll(
      'wx-button, wx-input, wx-navigator, button, select, input, [role="button"], [role="link"]',
    ),
  )
    // A link inside running text (display: inline) is part of the text, not beside it.
    .filter((control) => getComputedStyle(control).display !== 'inline')
    .filter((control) => visible(control.getBoundingClientRect()))
  const runs: Array<{ node: Text; owner: Element; rects: DOMRect[] }> = []
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text
    const owner = text.parentElement
    if (!owner || !(text.data.trim() !== '')) continue
    const range = document.createRange()
    range.selectNodeContents(text)
    const rects = Array.from(range.getClientRects()).filter(visible)
    if (rects.length > 0) runs.push({ node: text, owner, rects })
  }

  const problems: LayoutProblem[] = []
  const seen = new Set<string>()
  const report = (problem: LayoutProblem) => {
    const key = JSON.stringify(problem)
    if (!seen.has(key)) problems.push(problem)
    seen.add(key)
  }
  runs.forEach((run, i) => {
    const text = label(run.owner)
    for (const rect of run.rects) {
      if (rect.left < -0.5 || rect.right > width + 0.5)
        report({ problem: 'leaves the screen', text })
      for (const control of controls) {
        if (control.contains(run.node)) continue
        if (gap(rect, control.getBoundingClientRect()) < GAP) {
          report({ problem: 'touches a control', text, other: label(control) })
        }
      }
      for (const other of runs.slice(i + 1)) {
        if (other.owner === run.owner) continue
        if (other.rects.some((r) => gap(rect, r) < 0)) {
          report({ problem: 'overlaps text', text, other: label(other.owner) })
        }
      }
      for (let box = run.owner; box && box !== scope.parentElement; box = box.parentElement!) {
        const style = getComputedStyle(box)
        if (style.textOverflow === 'ellipsis') break
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue
        const edge = box.getBoundingClientRect()
        const cut =
          rect.left < edge.left - 0.5 ||
          rect.right > edge.right + 0.5 ||
          (style.overflowY !== 'auto' &&
            style.overflowY !== 'scroll' &&
            rect.bottom > edge.bottom + 0.5)
        if (cut) report({ problem: 'is cut off', text, other: label(box) })
        break
      }
    }
  })
  return problems
}
