#!/usr/bin/env node
// The `custody` command: runs the bundled build when present (npm run build), else the TypeScript
// sources through tsx, so the command works straight after `npm install` too.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `custody verify` keeps every core busy with its own threads (reading and inflating, hashing, checking leaves), so
// V8's concurrent garbage-collection helpers only compete with them: with --single-threaded-gc the command verified
// 1M events in 3.1-3.2 s against 3.3-3.6 s (2 cores). V8 flags cannot change in a running process, so verify starts
// itself again with the flag (CUSTODY_VERIFY_CONCURRENT_GC=1 keeps V8's default).
if (process.argv[2] === 'verify' && !process.execArgv.includes('--single-threaded-gc') && !process.env.CUSTODY_VERIFY_CONCURRENT_GC) {
  const { spawnSync } = await import('node:child_process');
  const { constants } = await import('node:os');
  const child = spawnSync(process.execPath, ['--single-threaded-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Only if the child could not start at all does verify run here, as it would have without the flag.
  if (child.error === undefined) {
    process.exit(child.status ?? 128 + (child.signal === null ? 0 : (constants.signals[child.signal] ?? 0)));
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time of a file under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The `src/` folders of the workspace packages compiled into the build: the server's `@custody/*` dependencies and,
 * in turn, theirs (not, say, the console's UI package, which the server does not bundle).
 */
function bundledPackageSources() {
  const packages = join(root, '..', '..', 'packages');
  const found = new Set();
  const visit = (manifest) => {
    let dependencies = {};
    try {
      dependencies = JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {};
    } catch {
      return;
    }
    for (const name of Object.keys(dependencies)) {
      if (!name.startsWith('@custody/')) continue;
      const dir = join(packages, name.slice('@custody/'.length));
      if (found.has(dir) || !existsSync(dir)) continue;
      found.add(dir);
      visit(join(dir, 'package.json'));
    }
  };
  visit(join(root, 'package.json'));
  return [...found].map((dir) => join(dir, 'src'));
}

/**
 * Whether `dist/<built>` is at least as new as every source compiled into it: the server's and the workspace
 * packages' it bundles. After a `git pull` without `npm run build`, the build is older and running it would run
 * the old code, so the sources run instead.
 */
function builtIsCurrent(file) {
  if (!existsSync(file)) return false;
  const builtAt = statSync(file).mtimeMs;
  const sources = [join(root, 'src'), ...bundledPackageSources()];
  const stale = sources.some((dir) => newestMtime(dir) > builtAt);
  if (stale) process.stderr.write(`custody: ${file} is older than the sources, so the sources run instead (npm run build refreshes it)\n`);
  return !stale;
}

/** The bundled `dist/<built>` when present and current, else `src/<source>` through tsx. */
async function load(built, source) {
  const file = join(root, 'dist', built);
  if (builtIsCurrent(file)) return import(pathToFileURL(file).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, 'src', source)).href);
}

// `custody verify` needs no server code: its own module loads in a fraction of the whole CLI's time.
if (process.argv[2] === 'verify') {
  const verify = await load('verify-cli.js', 'verify-command.ts');
  await verify.runVerify(process.argv.slice(3));
}

const cli = await load('cli.js', 'cli.ts');
await cli.run(process.argv.slice(2));
