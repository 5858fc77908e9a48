// Three worlds: the mini-program runs in jsdom under miniprogram-simulate, the server and the
// conformance kit in plain Node, and the browser preview in Chromium, driven from Node.
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
      // 'ts' first: simulate.load() requires '<page>/index' without an extension
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/miniprogram', '<rootDir>/test'],
      // As a mini-program resolves require('pkg'): miniprogram_npm (构建npm's output) first, at
      // each folder up from the requiring file (the npm package's consumer test).
      moduleDirectories: ['miniprogram_npm', 'node_modules'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/preview/'],
      setupFiles: ['<rootDir>/test/support/setup.ts'],
    },
    {
      displayName: 'preview',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/test/preview'],
      testMatch: ['<rootDir>/test/preview/**/*.test.ts'],
    },
    {
      displayName: 'conformance',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/conformance/tsconfig.json' }] },
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/conformance'],
      testMatch: ['<rootDir>/conformance/test/**/*.test.ts'],
    },
    {
      displayName: 'server',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/server/tsconfig.json' }] },
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/server', '<rootDir>/emulator', '<rootDir>/common'],
      testMatch: ['<rootDir>/{server,emulator,common}/test/**/*.test.ts'],
    },
  ],
}
