import { styleText } from 'node:util'
import type { Group } from './kit'
import { failed, type Result, type Run } from './run'

// The table people read: a line per check under its group, the reason and the contract's words
// under each failure, a summary last.

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
      write(`Checking ${backend.href} against docs/api.md`)
      write(`WeChat: the emulator at ${emulator.href}`)
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
      const mark = result.passed ? paint('green', 'pass') : paint('red', 'FAIL')
      write(`  ${mark}  ${result.name}`)
      if (!result.passed) {
        write(`        ${result.reason ?? ''}`)
        write(paint('dim', `        contract: ${result.clause}`))
      }
    },
    summary(run, seconds) {
      const count = (which: (result: Result) => boolean) => run.results.filter(which).length
      const failures = count(failed)
      const skipped = count((result) => result.skipped === true)
      write('')
      for (const warning of run.warnings) write(paint('yellow', `note: ${warning}`))
      const line =
        `${run.results.length} checks: ${count((result) => result.passed)} passed, ${failures} failed` +
        `${skipped > 0 ? `, ${skipped} skipped` : ''} ` +
        `(${seconds.toFixed(1)} s; emulator appid ${run.emulator.appid}, ${run.emulator.mode} mode)`
      write(failures === 0 ? paint(skipped > 0 ? 'yellow' : 'green', line) : paint('red', line))
    },
  }
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
