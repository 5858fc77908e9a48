// The client half of the benchmark runs where the pages can: in jsdom, under miniprogram-simulate,
// with the same harness as the tests. `npm run bench` starts it; it is not part of `npm test`.
const base = require('../jest.config.js').projects.find((p) => p.displayName === 'miniprogram')

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: 'bench',
  rootDir: '..',
  roots: ['<rootDir>/miniprogram', '<rootDir>/test', '<rootDir>/bench'],
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
}
