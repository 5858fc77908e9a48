/**
 * Cleanups a component registers while attached (an auth subscription, a privacy dialog) and runs
 * when detached. Kept outside the instance so component data stays plain and typed.
 */
const pending = new WeakMap<object, Array<() => void>>()

export function onDetach(owner: object, cleanup: () => void): void {
  const list = pending.get(owner)
  if (list) list.push(cleanup)
  else pending.set(owner, [cleanup])
}

export function detach(owner: object): void {
  const list = pending.get(owner)
  pending.delete(owner)
  if (list) list.forEach((cleanup) => cleanup())
}
