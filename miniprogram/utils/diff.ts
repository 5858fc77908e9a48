/**
 * Each setData crosses from the logic layer to the view layer; a value that did not change is pure
 * cost. Returns only the keys whose values differ, or null when nothing did.
 */
export function changed<T extends object>(current: T, next: Partial<T>): Partial<T> | null {
  const patch: Partial<T> = {}
  let any = false
  for (const key of Object.keys(next) as Array<keyof T>) {
    if (next[key] !== current[key]) {
      patch[key] = next[key]
      any = true
    }
  }
  return any ? patch : null
}
