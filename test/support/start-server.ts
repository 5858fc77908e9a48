/**
 * The reference server started through its public door, server/src/index.ts's startServer (its
 * defaults: 127.0.0.1, a free port, SQLite in a temporary folder, the emulator in strict mode),
 * in a process of its own for a suite whose process cannot host it (jsdom has no TextDecoder):
 * `node --import tsx test/support/start-server.ts`. Prints the server's first line, which
 * startListening() reads; SIGTERM closes it and removes its folder.
 */
import { serverLine } from '../../common/listening'
import { startServer } from '../../server/src/index'

startServer({ log: false }).then((server) => {
  const { url, wechatApiBase } = server
  console.log(serverLine({ url, wechatApiBase, builtInEmulator: server.emulator !== null }))
  process.once('SIGTERM', () => {
    server.close().then(() => process.exit(0))
  })
})
