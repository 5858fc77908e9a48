/**
 * Checked by `npm run typecheck`, not run: the contract's own Infer (schema.ts, which the npm
 * package ships without any library) gives every schema of the contract exactly the type
 * json-schema-to-ts derives from it. A difference fails the type-check on the schema's line.
 */
import type { FromSchema } from 'json-schema-to-ts'
import type * as contract from '../../miniprogram/contract'
import type { Infer } from '../../miniprogram/contract/schema'

/** True only when A and B are the same type (not merely assignable to each other). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

type Derived<S> = S extends contract.Schema ? Same<Infer<S>, FromSchema<S>> : never

export const sameAsJsonSchemaToTs: {
  [
    K in
      | 'USER'
      | 'LOGIN_ANSWER'
      | 'PHONE_NUMBER'
      | 'USER_INFO'
      | 'USER_INFO_ANSWER'
      | 'USER_ANSWER'
      | 'AVATAR_ANSWER'
      | 'ACCOUNT_EXPORT'
      | 'ERROR_ANSWER'
      | 'HEALTH_ANSWER'
  ]: Derived<(typeof contract)[K]>
} = {
  USER: true,
  LOGIN_ANSWER: true,
  PHONE_NUMBER: true,
  USER_INFO: true,
  USER_INFO_ANSWER: true,
  USER_ANSWER: true,
  AVATAR_ANSWER: true,
  ACCOUNT_EXPORT: true,
  ERROR_ANSWER: true,
  HEALTH_ANSWER: true,
}
