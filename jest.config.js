// Two worlds: the mini-program runs in jsdom under miniprogram-simulate, the server in plain Node.
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
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/setup.ts'],
    },
    {
      displayName: 'server',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/server/tsconfig.json' }] },
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/server'],
      testMatch: ['<rootDir>/server/test/**/*.test.ts'],
    },
  ],
}
