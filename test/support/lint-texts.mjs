// Lints sources as if they were files of the repository, with its own ESLint config: reads
// [{ file, source }] as JSON on stdin, prints each one's messages as JSON. A process of its own,
// because ESLint loads its config with import(), which jest's module sandbox does not run.
import { ESLint } from 'eslint'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
let input = ''
for await (const chunk of process.stdin) input += chunk
const eslint = new ESLint({ cwd: root })
const results = []
for (const { file, source } of JSON.parse(input)) {
  const [result] = await eslint.lintText(source, { filePath: resolve(root, file) })
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })))
}
process.stdout.write(JSON.stringify(results))
