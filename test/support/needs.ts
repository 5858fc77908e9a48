/**
 * Suites that need what npm does not install (PostgreSQL, Redis, a browser). On a laptop without
 * it they skip and say why; under CI (.ci/run sets CI=1) a missing one fails the run instead, so
 * CI can never pass by skipping.
 */
export function describeWhenAvailable(
  title: string,
  /** Why the suite cannot run here, or null when it can. */
  missing: string | null,
  body: () => void,
): void {
  if (missing === null) {
    describe(title, body)
  } else if (process.env.CI) {
    describe(title, () => {
      it('has what it needs', () => {
        throw new Error(`${missing}: CI must run this suite, not skip it`)
      })
    })
  } else {
    // Not console.warn: jest shows no console output of a file whose every test is skipped.
    process.stderr.write(`skipped "${title}": ${missing}\n`)
    describe.skip(title, body)
  }
}
