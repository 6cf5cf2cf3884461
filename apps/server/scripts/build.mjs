// Bundles the server and CLI into dist/cli.js, and @custody/core's worker-thread scripts (the ingest
// writer, the bundle leaf checkers, the query readers) into dist/*.worker.js (core looks for them beside the running file): the workspace
// packages (@custody/*, TypeScript sources) are compiled in; every other package stays an import
// resolved from node_modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const coreSource = dirname(createRequire(import.meta.url).resolve('@custody/core')); // its src/
import { build } from 'esbuild';

await build({
  entryPoints: {
    cli: 'src/cli.ts',
    // `custody verify` alone: the launcher runs it without loading the server (see bin/custody.js).
    'verify-cli': 'src/verify-command.ts',
    'log-writer.worker': join(coreSource, 'log-writer.worker.ts'),
    'leaf-checker.worker': join(coreSource, 'leaf-checker.worker.ts'),
    'query.worker': join(coreSource, 'query.worker.ts'),
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __custodyRequire } from 'node:module'; const require = __custodyRequire(import.meta.url);" },
  plugins: [
    {
      name: 'externalize-dependencies',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('@custody/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
