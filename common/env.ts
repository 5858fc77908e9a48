// The environment reader of every command here (the server, the standalone emulator): each
// variable is checked as it is read, and every problem is collected before giving up, so one run
// lists them all.

export type Env = Readonly<Record<string, string | undefined>>

export const HOST_PATTERN = /^[A-Za-z0-9.:%-]+$/
export const APPID_PATTERN = /^wx[0-9a-f]{16}$/i
export const SECRET_PATTERN = /^[\x21-\x7e]{1,128}$/

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export interface EnvReader {
  /** The value; an empty one counts as unset: `PORT= npm start` means the default. */
  raw(name: string): string | undefined
  integer(name: string, fallback: number, min: number, max: number): number
  /** A host name or an IP address to listen on. */
  host(name: string, fallback: string): string
  /** A mini-program's appid, checked against `wx` and 16 hex digits. */
  appid(name: string): string | undefined
  /** A secret, never echoed back, not even in an error message. */
  secret(name: string): string | undefined
  problem(message: string): void
  /** Throws a ConfigError with every problem found, or returns `config`. */
  done<T>(config: T): T
}

export function readEnv(env: Env): EnvReader {
  const problems: string[] = []
  const raw = (name: string): string | undefined => (env[name] === '' ? undefined : env[name])
  return {
    raw,
    integer(name, fallback, min, max) {
      const value = raw(name)
      if (value === undefined) return fallback
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`)
        return fallback
      }
      return Number(value)
    },
    host(name, fallback) {
      const value = raw(name) ?? fallback
      if (!HOST_PATTERN.test(value)) {
        problems.push(`${name} must be a host name or an IP address (got "${value}")`)
      }
      return value
    },
    appid(name) {
      const value = raw(name)
      if (value !== undefined && !APPID_PATTERN.test(value)) {
        problems.push(`${name} must look like wx followed by 16 hex digits (got "${value}")`)
      }
      return value
    },
    secret(name) {
      const value = raw(name)
      if (value !== undefined && !SECRET_PATTERN.test(value)) {
        problems.push(`${name} must be 1 to 128 printable characters without spaces`)
      }
      return value
    },
    problem(message) {
      problems.push(message)
    },
    done(config) {
      if (problems.length > 0) throw new ConfigError(problems)
      return config
    },
  }
}
