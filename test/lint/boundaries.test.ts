/**
 * @jest-environment node
 */
// The house's boundaries (boundaries.mjs) hold: an import that crosses one, planted in a file of
// the part it must not leave, fails the lint with the boundary's message; the allowed way passes.
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'

const LINT = path.resolve(__dirname, '../support/lint-texts.mjs')

interface Planted {
  file: string
  source: string
}

/** The boundary messages each planted file gets from the repository's own lint. */
function refusalsOf(planted: Planted[]): string[][] {
  const out = execFileSync(process.execPath, [LINT], { input: JSON.stringify(planted) })
  const results = JSON.parse(out.toString()) as { ruleId: string | null; message: string }[][]
  return results.map((messages) =>
    messages
      .filter((message) => message.ruleId === 'import-x/no-restricted-paths')
      .map((message) => message.message),
  )
}

const REFUSED: [string, string, string, RegExp][] = [
  [
    'miniprogram/ reaching outside itself',
    'miniprogram/auth/planted.ts',
    "import { startServer } from '../../server/src'",
    /imports nothing outside itself/,
  ],
  [
    'the conformance kit reaching into the server',
    'conformance/checks/planted.ts',
    "import { ApiError } from '../../server/src/http/errors'",
    /only through its public door, server\/src\/index\.ts/,
  ],
  [
    'the preview reaching into the server',
    'preview/server/planted.ts',
    "import { openStore } from '../../server/src/store'",
    /only through its public door/,
  ],
  [
    'the bench reaching into the server',
    'bench/planted.ts',
    "import { issueToken } from '../server/src/sessions/tokens'",
    /only through its public door/,
  ],
  [
    'the server reaching into the emulator',
    'server/src/planted.ts',
    "import { WechatWorld } from '../../emulator/world'",
    /only through its public doors: emulator\/index\.ts/,
  ],
  [
    'the emulator importing the server',
    'emulator/planted.ts',
    "import { loadConfig } from '../server/src'",
    /never imports the server/,
  ],
  [
    'common/ importing the emulator',
    'common/planted.ts',
    "import { WECHAT_APIS } from '../emulator'",
    /imports none of them/,
  ],
  [
    'open-data crypto importing HTTP',
    'common/open-data.ts',
    "import { AJV_OPTIONS } from './http/ajv'",
    /knows nothing of HTTP/,
  ],
  [
    "the server's store reaching up into HTTP",
    'server/src/store/planted.ts',
    "import { ApiError } from '../http/errors'",
    /know nothing of HTTP or of what serves it/,
  ],
  [
    'a layer of the server importing routes/',
    'server/src/wechat/planted.ts',
    "import { authRoutes } from '../routes/auth'",
    /Only app\.ts assembles the routes/,
  ],
  [
    'product code importing test support',
    'server/src/routes/planted.ts',
    "import { startTestServer } from '../../test/support/test-server'",
    /never imports test code or test support/,
  ],
  [
    'the kit importing test support',
    'conformance/planted.ts',
    "import { spawnEmulator } from '../emulator/test/support/emulator-process'",
    /never imports test code or test support/,
  ],
]

const ALLOWED: [string, string, string][] = [
  [
    'the conformance kit through the doors',
    'conformance/planted.ts',
    "import { controlClient } from '../emulator'\nimport { ConfigError } from '../common/env'",
  ],
  [
    'a test through the server door',
    'test/planted.ts',
    "import { startServer } from '../server/src'",
  ],
  [
    'the server through the emulator door',
    'server/src/planted.ts',
    "import { WechatEmulator } from '../../emulator'",
  ],
  [
    'a route over the layers below it',
    'server/src/routes/planted.ts',
    "import { openStore } from '../store'\nimport { ApiError } from '../http/errors'",
  ],
  [
    'a server test into its internals',
    'server/test/planted.test.ts',
    "import { ApiError } from '../src/http/errors'",
  ],
]

// One lint run for every case: ESLint takes seconds to start.
let refused: string[][] = []
let allowed: string[][] = []
beforeAll(() => {
  const all = refusalsOf([...REFUSED, ...ALLOWED].map(([, file, source]) => ({ file, source })))
  refused = all.slice(0, REFUSED.length)
  allowed = all.slice(REFUSED.length)
}, 60_000)

it.each(REFUSED.map((row, i) => [...row, i] as const))(
  'refuses %s',
  (_case, _file, _source, message, i) => {
    expect(refused[i]).toEqual([expect.stringMatching(message)])
  },
)

it.each(ALLOWED.map((row, i) => [...row, i] as const))('allows %s', (_case, _file, _source, i) => {
  expect(allowed[i]).toEqual([])
})
