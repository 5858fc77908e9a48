/**
 * Builds packages/weapp-login-kit (build.ts): what `npm pack` and `npm publish` run there first
 * (prepack), so a tarball never holds a stale build. Exit code 1, saying why, when the package
 * cannot be built.
 */
import { buildKit } from './build'

buildKit().then(
  ({ inputs, bundled }) =>
    process.stderr.write(
      `weapp-login-kit: 2 commands from ${inputs.length} source files and ${bundled.length} packages\n`,
    ),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
