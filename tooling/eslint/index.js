// @ts-check
/**
 * The one ESLint configuration of the repository.
 *
 * 1. `baseConfig`: type-checked typescript-eslint rules shared by every package.
 * 2. Boundaries (house style §7, §8.2, §8.3), composed per package by `defineConfig`:
 *    - `pure`: no `node:` imports, no Node globals, no `process.env` (schema, ledger, bundle);
 *    - `workspaceDeps`: the `@custody/*` packages a package may import (the dependency table);
 *    - `typeOnly`: packages that may only be imported with `import type` (the API router in clients);
 *    - database drivers only inside `packages/db/src/dialect/`;
 *    - `process.env` only inside files named `env.ts`;
 *    - never a deep import into another package (`@custody/x/src/...`).
 */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'crypto', 'dgram', 'dns',
  'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks',
  'process', 'readline', 'stream', 'stream/promises', 'string_decoder', 'timers', 'tls', 'tty', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

const DB_DRIVERS = ['better-sqlite3', 'pg', 'pg-cursor', 'pg-pool'];

/** Files that are not shipped code: tests, scripts, benchmarks and config. */
export const NON_SOURCE_FILES = [
  '**/*.test.ts', '**/*.test.tsx', '**/test/**', '**/e2e/**', '**/scripts/**', '**/bench/**',
  '**/*.config.ts', '**/*.config.js',
];

/** @type {import('typescript-eslint').ConfigArray} */
export const baseConfig = tseslint.config(
  { ignores: ['**/dist/**', '**/out/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { attributes: false } },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (house style §8.4).' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    files: ['**/*.config.ts', '**/*.config.js', '**/eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: NON_SOURCE_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);

/**
 * @typedef {object} BoundaryOptions
 * @property {boolean} [pure] The package must run in a browser and a Worker. Default is `false`.
 * @property {string[]} [workspaceDeps] The `@custody/*` packages the package's sources may import.
 * @property {string[]} [typeOnly] Of those, the ones that may be imported only with `import type`.
 * @property {string[]} [driverFolders] Globs where database drivers may be imported. Default is none.
 */

/**
 * Builds the flat config of one package: the base rules plus its boundaries.
 *
 * ```js
 * export default defineConfig({ pure: true, workspaceDeps: ['@custody/schema'] });
 * ```
 * @param {BoundaryOptions} options
 * @returns {import('typescript-eslint').ConfigArray}
 */
export function defineConfig(options = {}) {
  const allowed = options.workspaceDeps ?? [];
  const typeOnly = options.typeOnly ?? [];
  /** @type {any[]} */
  const patterns = [
    {
      group: ['@custody/*/src', '@custody/*/src/**', '@custody/*/dist', '@custody/*/dist/**'],
      message: 'Import a package through its exports map, never its files (house style §8.1).',
    },
    {
      group: ['@custody/*', ...allowed.flatMap((d) => [`!${d}`, `!${d}/*`])],
      message: `This package may import only ${allowed.length ? allowed.join(', ') : 'no other workspace package'} (house style §7, dependency direction).`,
    },
  ];
  if (typeOnly.length > 0) {
    patterns.push({
      group: typeOnly,
      allowTypeImports: true,
      message: 'Import the API router with `import type` only, so no server code is bundled (house style §8.2).',
    });
  }
  /** @type {any[]} */
  const paths = DB_DRIVERS.map((name) => ({
    name,
    message: 'Database drivers are imported only in packages/db/src/dialect/ (house style §8.3).',
  }));
  if (options.pure) {
    for (const name of NODE_BUILTINS) {
      paths.push({ name, message: 'Pure packages run in a browser: no Node built-ins (house style §8.2).' });
    }
    patterns.push({
      group: ['node:*'],
      message: 'Pure packages run in a browser: no Node built-ins (house style §8.2).',
    });
  }

  return tseslint.config(
    ...baseConfig,
    {
      files: ['**/*.ts', '**/*.tsx'],
      ignores: NON_SOURCE_FILES,
      rules: {
        '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
        'no-restricted-properties': [
          'error',
          { object: 'process', property: 'env', message: 'Read the environment only in env.ts, validated with zod (house style §8.2).' },
        ],
        ...(options.pure
          ? {
              'no-restricted-globals': [
                'error',
                ...['Buffer', 'process', 'require', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({
                  name,
                  message: 'Pure packages run in a browser: no Node globals (house style §8.2).',
                })),
              ],
            }
          : {}),
      },
    },
    {
      files: ['**/env.ts'],
      rules: { 'no-restricted-properties': 'off' },
    },
    ...(options.driverFolders?.length
      ? [
          {
            files: options.driverFolders,
            ignores: NON_SOURCE_FILES,
            rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
          },
        ]
      : []),
  );
}
