import * as fs from 'node:fs'
import * as path from 'node:path'
import * as prettier from 'prettier'

const ROOT = path.resolve(__dirname, '../..')
const RESULTS = path.join(ROOT, 'bench/RESULTS.md')
const README = path.join(ROOT, 'README.md')

/**
 * Writes the report to bench/RESULTS.md, keeping its notes (written by hand: why a goal is missed,
 * what was profiled), and between the README's bench markers; formatted as the repository's
 * Prettier would, so `npm test`'s lint stays green after a run.
 */
export async function writeReport(report: string): Promise<void> {
  const style = { ...(await prettier.resolveConfig(README)), parser: 'markdown' }
  const previous = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : ''
  const notes =
    /<!-- notes:start -->[\s\S]*?<!-- notes:end -->/.exec(previous)?.[0] ??
    '<!-- notes:start -->\n<!-- notes:end -->'
  const results =
    '# Benchmark results\n\nWritten by `npm run bench`, except the notes at the end, which are ' +
    `written by hand and kept across runs.\n\n${report}\n\n## Notes\n\n${notes}\n`
  fs.writeFileSync(RESULTS, await prettier.format(results, style))
  const readme = fs.readFileSync(README, 'utf8')
  const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/
  if (marked.test(readme)) {
    fs.writeFileSync(
      README,
      await prettier.format(readme.replace(marked, `$1${report}\n$2`), style),
    )
  }
}
