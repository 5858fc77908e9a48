// The server's public door: what other code here (the end-to-end suite, the preview, the bench,
// the conformance kit's tests) may use. Everything else is internal; a lint rule keeps it so.
export { startServer, type RunningServer, type StartServerOptions } from './server'
export { buildApp, EMULATOR_PREFIX, type AppOptions, type LogDestination } from './app'
export { loadConfig, ConfigError, type Config } from './config/config'
export type { ErrorBody, ErrorCode } from './http/errors'
// What Node refuses before a route (a broken request line), answered in the server's shape: the
// conformance tests' proxy answers it as the server behind it would.
export { clientErrorHandler } from './http/errors'
export type { PreviewModule } from './routes/preview'
export type { WechatApi, WechatSession, WechatHttpOptions } from './wechat/client'
// The bench's physical reference makes the same token and store write as a login.
export { openStore, type Store } from './store'
export { issueToken } from './sessions/tokens'
// The references log as the server does: one line per request.
export { OneLinePerRequest } from './http/request-log'
