/**
 * Never run: tsc's proof that the package's types are real types, not `any`. Each line below is
 * a mistake the types must catch; were they `any`, the directive would be unused, itself an error.
 */
import { createConfig, read, USER, type User } from 'weapp-login'

// @ts-expect-error: the backend (baseUrl or baseUrls) is required
createConfig({})

// The contract's schema is the one source of the type read() gives.
const user: User = read(USER, JSON.parse('{}'))
// @ts-expect-error: the contract's user has no openid
export const openid: string = user.openid
