import { defineConfig } from '@custody/eslint-config';

/**
 * The repository's configuration with the viewer's dependency row (house style §7), plus the renderer boundary:
 * code that runs in the renderer (React app, browser ViewerApi, engine Worker, shared contract) imports neither
 * Electron nor Node built-ins. Browser globals need no declaration here: type-aware rules resolve them through
 * tsconfig.web.json's DOM library (typescript-eslint turns `no-undef` off for TypeScript).
 */
export default [
  ...defineConfig({ workspaceDeps: ['@custody/ui', '@custody/bundle', '@custody/ledger', '@custody/schema'] }),
  { ignores: ['dist-web/**', 'release/**'] },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/web/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks only to window.custody (ViewerApi); Electron stays in src/main and src/preload.' }],
          patterns: [{ group: ['node:*'], message: 'Browser code: no Node built-ins.' }],
        },
      ],
    },
  },
];
