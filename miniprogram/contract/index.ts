/**
 * The contract between the mini-program and any backend, as one module inside the mini-program
 * root (the package cannot reach outside it), imported by the server too. docs/openapi.yaml is
 * generated from the server's routes, which are built from these schemas.
 */
export * from './answers'
export * from './errors'
export * from './health'
export * from './nickname'
export * from './paths'
export * from './requests'
export type { Infer, JsonType, Schema } from './schema'
