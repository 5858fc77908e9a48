/**
 * Builds packages/weapp-login from miniprogram/ (build.ts): what `npm pack` and `npm publish` run
 * there first (prepack), so a tarball never holds a stale build. Exit code 1, saying why, when the
 * package cannot be built.
 */
import { buildPackage } from './build'

buildPackage().then(
  ({ files }) =>
    process.stderr.write(`weapp-login: ${files.length} files built from miniprogram/\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
