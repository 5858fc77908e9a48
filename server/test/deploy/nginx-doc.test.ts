/** server/README.md shows the nginx configuration the rolling-restart suite runs, as it is. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { EXAMPLE_CONFIG } from '../../../test/support/nginx'

it('server/README.md shows deploy/nginx.conf as it is', () => {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8')
  const shown = /as in\s+\[`deploy\/nginx\.conf`\][^\n]*\n[^]*?```nginx\n([^]*?)```/.exec(
    readme,
  )?.[1]
  expect(shown).toBe(readFileSync(EXAMPLE_CONFIG, 'utf8'))
})
