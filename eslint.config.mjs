import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'
import { BOUNDARIES } from './boundaries.mjs'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'coverage/',
      '**/.data/',
      'server/dist/',
      'packages/weapp-login/miniprogram_dist/',
      'packages/weapp-login/types/',
      'packages/weapp-login-kit/bin/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['miniprogram/**/*.ts', 'typings/**/*.ts'],
    languageOptions: {
      globals: {
        wx: 'readonly',
        App: 'readonly',
        Behavior: 'readonly',
        Component: 'readonly',
        getApp: 'readonly',
      },
    },
  },
  {
    files: ['preview/runtime/**/*.ts', 'preview/shell/**/*.ts', 'preview/shared/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: [
      'server/**/*.ts',
      'emulator/**/*.ts',
      'common/**/*.ts',
      'conformance/**/*.ts',
      'preview/server/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      '**/*.js',
      '**/*.mjs',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The house's boundaries (boundaries.mjs), on every import as it resolves.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: BOUNDARIES }] },
  },
  {
    // A test states what it set up; `!` on a node it rendered reads better than a guard.
    files: ['test/**/*.ts', '*/test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
)
