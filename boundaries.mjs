// The boundaries between the parts of the house, as import-x's no-restricted-paths zones: ESLint
// (npm run lint, so npm test) fails on an import that crosses one. `target` is where the import
// is written, `from` where it leads. test/lint/boundaries.test.ts plants one of each and sees it
// refused.

/** Product code: what ships, runs in production or is installed by other teams. */
const PRODUCT = [
  './miniprogram/**',
  './server/src/**',
  './emulator/!(test)/**',
  './emulator/*.ts',
  './common/!(test)/**',
  './common/*.ts',
  './conformance/!(test)/**',
  './conformance/*.ts',
  './preview/**',
  './scripts/**',
]

const TEST_SUPPORT = [
  './test',
  './server/test',
  './emulator/test',
  './common/test',
  './conformance/test',
]

export const BOUNDARIES = [
  {
    target: './miniprogram',
    from: './',
    except: ['./miniprogram'],
    message:
      'miniprogram/ is the DevTools root and the npm package weapp-login: it imports nothing ' +
      'outside itself.',
  },
  {
    target: ['./conformance', './preview', './bench', './test', './emulator/test', './common/test'],
    from: './server/src',
    except: ['./index.ts'],
    message: 'Reach the server only through its public door, server/src/index.ts.',
  },
  {
    target: ['./server/src', './conformance', './preview', './bench', './test'],
    from: './emulator',
    except: ['./index.ts', './client.ts', './test'],
    message:
      'Reach the emulator only through its public doors: emulator/index.ts, or client.ts (its ' +
      'control client alone, safe in a browser).',
  },
  {
    target: ['./emulator/!(test)/**', './emulator/*.ts'],
    from: './server',
    message: 'The emulator stands alone (the kit ships it): it never imports the server.',
  },
  {
    target: ['./common/!(test)/**', './common/*.ts'],
    from: ['./server', './emulator', './conformance'],
    message: 'common/ is what the server, the emulator and the kit share: it imports none of them.',
  },
  {
    target: './common/open-data.ts',
    from: './common/http',
    message:
      'Open-data crypto knows nothing of HTTP: its failures are OpenDataErrors, mapped to ' +
      'answers by the server.',
  },
  // Inside the server, by layer: the folders at the bottom (what it runs on) know nothing of those
  // above (HTTP, and what serves it); routes/ is assembled by app.ts alone.
  {
    target: [
      './server/src/config',
      './server/src/avatars',
      './server/src/store',
      './server/src/redis',
    ],
    from: [
      './server/src/http',
      './server/src/sessions',
      './server/src/limits',
      './server/src/routes',
      './server/src/wechat',
      './server/src/metrics',
    ],
    message:
      "The server's platform layers (config, store, redis, avatars) know nothing of HTTP or of " +
      'what serves it: their failures are values that http/errors.ts maps to answers.',
  },
  {
    target: [
      './server/src/config',
      './server/src/http',
      './server/src/sessions',
      './server/src/limits',
      './server/src/wechat',
      './server/src/avatars',
      './server/src/store',
      './server/src/redis',
      './server/src/metrics',
    ],
    from: './server/src/routes',
    message: 'Only app.ts assembles the routes: no layer imports routes/.',
  },
  ...PRODUCT.map((target) => ({
    target,
    from: TEST_SUPPORT,
    message: 'Product code never imports test code or test support.',
  })),
]
