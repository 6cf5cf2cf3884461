// Each boundary of the house style must actually fire: lint small sources with the real config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

import { defineConfig } from '../index.js';

/** Lints `code` as if it were the file `filePath` of a package configured with `options`. */
async function lint(options, code, filePath = 'src/thing.ts') {
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [
      ...defineConfig(options),
      // Type information is irrelevant to boundaries, and these sources are virtual.
      { ...tseslint.configs.disableTypeChecked, languageOptions: { parserOptions: { projectService: false } } },
      { rules: { '@typescript-eslint/no-unused-vars': 'off' } },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('boundaries', () => {
  describe('when a package is pure', () => {
    it('rejects node: imports, bare built-ins and Node globals in sources', async () => {
      const messages = await lint(
        { pure: true },
        "import { createHash } from 'node:crypto';\nimport fs from 'fs';\nexport const b = Buffer.from('x');\n",
      );
      assert.equal(messages.length, 3, messages.join('\n'));
      assert.ok(messages.every((m) => m.includes('Pure packages run in a browser')));
    });

    it('allows Node in tests and scripts', async () => {
      assert.deepEqual(
        await lint({ pure: true }, "import { createHash } from 'node:crypto';\nexport const h = createHash;\n", 'src/a.test.ts'),
        [],
      );
      assert.deepEqual(
        await lint({ pure: true }, "import { writeFileSync } from 'node:fs';\nexport const w = writeFileSync;\n", 'scripts/gen.ts'),
        [],
      );
    });
  });

  describe('when a package imports another workspace package', () => {
    it('allows the packages in its row of the dependency table and their subpaths', async () => {
      assert.deepEqual(
        await lint({ workspaceDeps: ['@custody/schema'] }, "import { x } from '@custody/schema';\nimport { y } from '@custody/schema/jcs';\nexport { x, y };\n"),
        [],
      );
    });

    it('rejects any other package', async () => {
      const messages = await lint({ workspaceDeps: ['@custody/schema'] }, "import { x } from '@custody/core';\nexport { x };\n");
      assert.equal(messages.length, 1);
      assert.match(messages[0], /may import only @custody\/schema/);
    });

    it('rejects deep imports into a package', async () => {
      const messages = await lint({ workspaceDeps: ['@custody/schema'] }, "import { x } from '@custody/schema/src/event';\nexport { x };\n");
      assert.ok(messages.some((m) => m.includes('exports map')), messages.join('\n'));
    });
  });

  describe('when a package may import another with import type only', () => {
    const options = { workspaceDeps: ['@custody/schema', '@custody/api'], typeOnly: ['@custody/api'] };
    it('allows import type', async () => {
      assert.deepEqual(await lint(options, "import type { AppRouter } from '@custody/api';\nexport type R = AppRouter;\n"), []);
    });
    it('rejects a value import', async () => {
      const messages = await lint(options, "import { appRouter } from '@custody/api';\nexport { appRouter };\n");
      assert.equal(messages.length, 1);
      assert.match(messages[0], /import type/);
    });
  });

  describe('database drivers', () => {
    const options = { workspaceDeps: [], driverFolders: ['src/dialect/**'] };
    it('are rejected outside the dialect folder', async () => {
      const messages = await lint(options, "import Database from 'better-sqlite3';\nexport { Database };\n", 'src/migrate.ts');
      assert.equal(messages.length, 1);
      assert.match(messages[0], /packages\/db\/src\/dialect/);
    });
    it('are allowed inside it', async () => {
      assert.deepEqual(await lint(options, "import pg from 'pg';\nexport { pg };\n", 'src/dialect/postgres.ts'), []);
    });
  });

  describe('process.env', () => {
    it('is rejected outside env.ts', async () => {
      const messages = await lint({}, 'export const port = process.env.PORT;\n', 'src/main.ts');
      assert.equal(messages.length, 1);
      assert.match(messages[0], /only in env\.ts/);
    });
    it('is allowed in env.ts', async () => {
      assert.deepEqual(await lint({}, 'export const port = process.env.PORT;\n', 'src/env.ts'), []);
    });
  });
});
