import { styleText } from 'node:util'
import { redactUrl } from '../common/redact'
import type { Group } from './kit'
import { tally, type Result, type Run, type Stopped } from './run'

// The table people read: a line per check under its group, the reason and the contract's words
// under each failure; then what is missing, group by group, and a summary last.

type Style = Parameters<typeof styleText>[0]

export interface Printer {
  header(backend: URL, emulator: URL): void
  group(title: string): void
  result(result: Result): void
  summary(run: Run, seconds: number): void
}

export function tablePrinter(write: (line: string) => void, color: boolean): Printer {
  const paint = (style: Style, text: string) => (color ? styleText(style, text) : text)
  return {
    header(backend, emulator) {
      write(`Checking ${redactUrl(backend.href)} against docs/api.md`)
      write(`WeChat: the emulator at ${redactUrl(emulator.href)}`)
    },
    group(title) {
      write('')
      write(paint('bold', title))
    },
    result(result) {
      if (result.skipped) {
        write(`  ${paint('yellow', 'skip')}  ${result.name}`)
        return
      }
      if (result.notRun) {
        write(paint('dim', `  ----  ${result.name}`))
        return
      }
      const mark = result.passed ? paint('green', 'pass') : paint('red', 'FAIL')
      write(`  ${mark}  ${result.name}`)
      if (!result.passed) {
        write(`        ${result.reason ?? ''}`)
        write(paint('dim', `        contract: ${result.clause}`))
      }
    },
    summary(run, seconds) {
      const { passed, failed, notRun, skipped } = tally(run.results)
      write('')
      for (const warning of run.warnings) write(paint('yellow', `note: ${warning}`))
      if (run.stopped) {
        for (const line of stoppedNote(run.stopped, notRun)) write(paint('red', line))
        write('')
      }
      const missing = missingByGroup(run.results)
      if (missing.length > 0) {
        write(paint('bold', 'What is missing:'))
        for (const line of missing) write(`  ${line}`)
        write('')
      }
      const line =
        `${run.results.length} checks: ${passed} passed, ${failed} failed` +
        `${notRun > 0 ? `, ${notRun} not run` : ''}${skipped > 0 ? `, ${skipped} skipped` : ''} ` +
        `(${seconds.toFixed(1)} s; emulator appid ${run.emulator.appid}, ${run.emulator.mode} mode)`
      const green = failed === 0 && notRun === 0
      write(green ? paint(skipped > 0 ? 'yellow' : 'green', line) : paint('red', line))
    },
  }
}

/** Which check the backend stopped answering in, how, and what the run could not check after. */
function stoppedNote(
  { check, group, request, reason, since, lastAnswer }: Stopped,
  notRun: number,
) {
  const last = lastAnswer?.replace(` (in "${check}")`, ', in the same check')
  return [
    `The backend stopped answering during "${check}" (${group}):`,
    `  ${request} got no answer (${reason}), and nothing has answered since (${since}).`,
    ...(last ? [`  Its last answer before: ${last}.`] : []),
    '  Its log should say what that request did to it.',
    `  The ${notRun} checks after it that needed the backend were not run (----).`,
  ]
}

/** A line for each group not all green: how much of it passed, failed, or was not run. */
function missingByGroup(results: readonly Result[]): string[] {
  const groups = new Map<string, Result[]>()
  for (const result of results)
    groups.set(result.group, [...(groups.get(result.group) ?? []), result])
  return [...groups].flatMap(([title, rows]) => {
    const { passed, failed, notRun, skipped } = tally(rows)
    if (passed === rows.length) return []
    const said = [
      failed > 0 ? `${failed} failed` : '',
      notRun > 0 ? `${notRun} not run` : '',
      skipped > 0 ? `${skipped} skipped` : '',
    ]
    return [`${title}: ${passed} of ${rows.length} passed, ${said.filter(Boolean).join(', ')}`]
  })
}

/** --list: every check and the clause it holds the backend to, without running anything. */
export function listChecks(groups: readonly Group[], write: (line: string) => void): void {
  for (const group of groups) {
    write(
      group.skippable ? `${group.title} (--skip ${group.skippable} leaves it out)` : group.title,
    )
    for (const check of group.checks) {
      write(`  - ${check.name}`)
      write(`      ${check.clause}`)
    }
    write('')
  }
}
