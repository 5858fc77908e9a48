import type { Load } from '../measure/load'

/** A Markdown table; Prettier aligns it when the report is written. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')
}

export const LOAD_HEADER = [
  'target',
  'requests/s',
  'p50 ms',
  'p99 ms',
  'CPU ms per request',
  'vs reference',
]

export function loadRow(name: string, result: Load | string, vs = ''): Array<string | number> {
  if (typeof result === 'string') return [name, `skipped: ${result}`, '', '', '', '']
  return [name, result.rps.toFixed(0), result.p50, result.p99, result.cpuMs.toFixed(2), vs]
}
