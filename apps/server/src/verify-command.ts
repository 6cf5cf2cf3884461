/**
 * `custody verify`: checks an evidence bundle offline (no configuration, no database). A module of its own, built
 * as `dist/verify-cli.js`, so that the launcher can run it without loading the server: it imports only the bundle
 * layer and `@custody/core/verify`.
 */
import { parseArgs } from 'node:util';

import { list, str } from './cli-values';
import type { TValues } from './cli-values';

/** A usage error: printed with the usage text, exit status 2. */
export class UsageError extends Error {}

/** Called when stdout's reader went away; see {@link watchStdout}. */
const onStdoutClosed = new Set<() => void>();
let stdoutWatched = false;

/**
 * Installs the handler of stdout's write errors, once per process. A reader that went away (EPIPE:
 * `custody verify … | head -1`, `custody tail acme | head -1`) is not the command's failure: the rest of its output
 * is dropped, `onClosed` runs (a command that would write forever stops), and the exit status stays the command's
 * own: `verify` still exits 0 for a valid bundle and 1 for an invalid one (without a handler, Node crashes on the
 * 'error', status 1 either way). Any other write error is reported, status 1.
 */
export function watchStdout(onClosed?: () => void): void {
  if (onClosed !== undefined) onStdoutClosed.add(onClosed);
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      for (const closed of onStdoutClosed) closed();
      return;
    }
    process.stderr.write(`custody: cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
}

const VERIFY_USAGE = `Usage: custody verify <bundle.zip> --vkey <vkey> [--vkey-file <file>] [--json] [--threads <n>] [--quiet]
  exit 0 valid, 1 invalid, 2 unusable; --threads: threads in all, one reads and the others check events
  (default: the cores, at most 8; 1 checks on the reading thread). See custody --help for every command.
`;

/** Verifies `file` with the options of `values` (as parsed by the CLI); returns the exit status. */
export async function verifyCommand(file: string | undefined, values: TValues): Promise<number> {
  if (file === undefined) throw new UsageError('verify needs a bundle: custody verify bundle.zip --vkey <vkey>');
  const { readFile } = await import('node:fs/promises');
  const { formatVerificationReport, verificationExitCode, verifyBundle } = await import('@custody/bundle');
  const { createThreadedLeafChecker, defaultVerifyThreads, nodeVerifyOptions, openFileSource } = await import('@custody/core/verify');
  const threadsText = str(values, 'threads');
  if (threadsText !== undefined && !/^[1-9][0-9]?$/.test(threadsText)) throw new UsageError(`--threads must be an integer from 1 to 99, got "${threadsText}"`);
  const threads = threadsText === undefined ? defaultVerifyThreads() : Number(threadsText);
  const keys = [...list(values, 'vkey')];
  for (const path of list(values, 'vkey-file')) {
    keys.push(...(await readFile(path, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#')));
  }
  if (keys.length === 0) {
    throw new UsageError('give the verifier key you obtained separately: --vkey <name+id+key> or --vkey-file <file> (the keys inside a bundle are only hints)');
  }
  const { parseVerifierKey } = await import('@custody/ledger');
  for (const key of keys) {
    try {
      parseVerifierKey(key);
    } catch (error) {
      throw new UsageError(`"${key.slice(0, 80)}" is not a verifier key (name+keyid+base64): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let source;
  try {
    source = await openFileSource(file);
  } catch (error) {
    process.stderr.write(`custody: cannot open ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const quiet = values.quiet === true || values.json === true;
  let lastProgress = 0;
  // One thread: check inline. More: this one reads, the other threads - 1 check the leaves.
  const checker = threads > 1 ? createThreadedLeafChecker(threads - 1) : undefined;
  try {
    const report = await verifyBundle(source, {
      ...(checker === undefined ? {} : { checker }),
      ...nodeVerifyOptions,
      trustedKeys: keys,
      hashArchive: true,
      onProgress: (p) => {
        const now = Date.now();
        if (quiet || now - lastProgress < 1000) return;
        lastProgress = now;
        process.stderr.write(`  … ${p.phase}: ${p.events.toLocaleString('en-US')} events, ${(p.bytes / 1e6).toFixed(1)} MB read\n`);
      },
    });
    process.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerificationReport(report)}\n`);
    return verificationExitCode(report);
  } finally {
    await checker?.close();
    await source.close();
  }
}

/** `custody verify <args>` on its own (the launcher's fast path): exits with the status. */
export async function runVerify(argv: readonly string[]): Promise<void> {
  watchStdout();
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        vkey: { type: 'string', multiple: true },
        'vkey-file': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        threads: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(VERIFY_USAGE);
      process.exit(0);
    }
    if (positionals.length > 1) throw new UsageError(`verify takes one bundle, got ${positionals.length}`);
    process.exit(await verifyCommand(positionals[0], values));
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`custody: ${error.message}\n\n${VERIFY_USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`custody: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
