// Bundles the server and CLI into dist/cli.js, and the ingest writer thread's script into
// dist/log-writer.worker.js (@custody/core looks for it beside the running file): the workspace
// packages (@custody/*, TypeScript sources) are compiled in; every other package stays an import
// resolved from node_modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const coreSource = dirname(createRequire(import.meta.url).resolve('@custody/core')); // its src/
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli.ts', 'log-writer.worker': join(coreSource, 'log-writer.worker.ts') },
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
