/**
 * WeChat's calling convention: success/fail/complete callbacks, or a Promise when none is given
 * (for the APIs WeChat promisifies); errMsg is `name:ok` or `name:fail reason`, with an errno
 * where WeChat gives one.
 */

export class WxFailure extends Error {
  constructor(
    readonly reason: string,
    readonly errno?: number,
  ) {
    super(reason)
  }
}

export interface Callbacks<R> {
  success?: (result: R) => void
  fail?: (error: { errMsg: string; errno?: number }) => void
  complete?: (result: unknown) => void
}

export type Result<R> = R & { errMsg: string }

/** Runs `run` after the caller's turn, as WeChat's APIs answer asynchronously. */
export function settle<O extends Callbacks<Result<R>>, R extends object>(
  name: string,
  options: O,
  run: (options: O) => Promise<R> | R,
  promisify = true,
): Promise<Result<R>> | undefined {
  const outcome = Promise.resolve()
    .then(() => run(options))
    .then(
      (result) => ({ ...result, errMsg: `${name}:ok` }),
      (error: unknown) => {
        const failure = error instanceof WxFailure ? error : new WxFailure(String(error))
        const errMsg = `${name}:fail ${failure.reason}`
        throw failure.errno === undefined ? { errMsg } : { errMsg, errno: failure.errno }
      },
    )
  const { success, fail, complete } = options
  if (promisify && !success && !fail && !complete) return outcome
  outcome.then(
    (result) => {
      success?.(result)
      complete?.(result)
    },
    (error: { errMsg: string; errno?: number }) => {
      fail?.(error)
      complete?.(error)
    },
  )
  return undefined
}

/** An API taking an options object, called the WeChat way. */
export function api<O extends object, R extends object>(
  name: string,
  run: (options: O) => Promise<R> | R,
  promisify = true,
) {
  return (options?: O & Callbacks<Result<R>>) => settle(name, options ?? ({} as O), run, promisify)
}
