/**
 * The `custody` command. Every command reads the same environment as the server (see env.ts) and
 * works on its database directly.
 *
 *   custody serve                              run the server (default command)
 *   custody migrate                            apply database migrations
 *   custody orgs create <name> [--id <id>]     create an organization and its log
 *   custody orgs list
 *   custody keys create --name <n> --scopes <s,…> [--org <id>]
 *   custody keys list [--org <id>]
 *   custody keys revoke <key id>
 *   custody checkpoint <org>                   sign a checkpoint now and print it
 *   custody tail <org> [--from <seq>]          print new events as NDJSON as they arrive
 *   custody export <org> --matter-name … -o bundle.zip   write an evidence bundle or production
 *   custody verify bundle.zip --vkey <vkey>            verify a bundle offline (no database needed)
 *   custody backup <file> / custody check      copy the SQLite database / check every log against its checkpoint
 *   custody viewer [--port 4400]               serve the forensics viewer's web build on 127.0.0.1
 *   custody signing-key create|show|rotate|list
 *
 * Output: what a command produces goes to stdout; progress, the server's startup banner (with the one-time
 * bootstrap admin key) and errors go to stderr, so `custody serve`'s stdout holds only its JSON log lines.
 * Exit status: 0 success, 1 failure, 2 usage or configuration error (an option or argument, a setting, or what a
 * setting points at: a port in use, a host that does not resolve, a database that cannot be reached).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import pino from 'pino';

import { SCOPES, isAppError, rotateSigningKeyFile } from '@custody/core';
import type { TScope } from '@custody/core';
import { isDatabaseUnavailable, migrateToLatest } from '@custody/db';
import { SERVER_ORGANIZATION_ID_PATTERN, StrictJsonError, parseStrictJson } from '@custody/schema';

import { backupCommand, checkCommand } from './backup-command';
import {
  boot,
  configProblem,
  configuredDatabaseSigningKey,
  configuredSigningKey,
  createBootstrapKey,
  ensureDataDir,
  missingKeyFile,
  openConfiguredDatabase,
  requireCustodyTables,
  warnIfOpenToOthers,
} from './boot';
import { str } from './cli-values';
import type { TValues } from './cli-values';
import { ConfigError, loadConfig } from './env';
import { UsageError, verifyCommand, watchStdout } from './verify-command';
import type { TConfig } from './env';
import { endProcess } from './exit';
import { createHttpServer } from './http';

const USAGE = `Usage: custody <command> [options]

Commands:
  serve                                   run the server (http://$HOST:$PORT)
  migrate                                 apply database migrations and exit
  orgs create <name> [--id <id>]          create an organization and its verifiable log
  orgs list                               list organizations with their log sizes
  keys create --name <name> --scopes <s,...> [--org <id>]
                                          create an API key (scopes: ${SCOPES.join(', ')})
  keys list [--org <id>]                  list API keys (never their secrets)
  keys revoke <key id>                    revoke an API key
  checkpoint <org>                        sign a checkpoint now and print the signed note
  tail <org> [--from <seq>]               print events as NDJSON as they are committed
  export <org> --matter-name <n> --matter-number <n> --custodian <c> --reason <r> [-o <file>]
         [--format bundle|csv|ndjson|dat] [--mode complete-range|selected] [--filter <json>]
         [--control-prefix <P>] [--since-checkpoint <size>] [--previous-bundle <zip>] [--include-dat]
         [--json] [--quiet]
                                          export events (default: an evidence bundle) and print its SHA-256;
                                          --include-dat adds a Concordance DAT load file to a bundle
  verify <bundle.zip> --vkey <vkey> [--vkey-file <file>] [--json] [--threads <n>] [--quiet]
                                          verify an evidence bundle offline: exit 0 valid, 1 invalid, 2 unusable;
                                          on --threads threads in all: one reads, the others check events
                                          (default: the cores, at most 8; 1 checks on the reading thread)
  backup <file> [--full] [--json] [--quiet]
                                          copy the SQLite database while the server runs, then check every
                                          log in the copy against its latest signed checkpoint (exit 0 / 1)
  check [--full] [--json] [--quiet]       check every log in the database against its latest signed checkpoint;
                                          --full: rebuild each from every event body and leaf, and recount
                                          its statistics rollups from its events (exit 0 / 1)
  viewer [--port <port>] [--dir <folder>] serve the forensics viewer (browser build) on http://127.0.0.1:4400;
                                          it opens bundles locally in the browser, offline (no database needed)
  signing-key create                      create the signing key file before any server starts (named after
                                          CUSTODY_LOG_NAME), to hand to every process of a deployment
  signing-key show                        print the verifier key (vkey) the servers sign with, and its fingerprint
  signing-key rotate                      replace the signing key file; old vkeys stay published
  signing-key list                        every published verifier key, the active one first

--json prints machine-readable output; --quiet (-q) leaves out progress on stderr.
Exit status: 0 success, 1 failure, 2 usage or configuration error.

Configuration comes from the environment: PORT, HOST, CUSTODY_DATA_DIR, DATABASE_URL,
CUSTODY_LOG_NAME, CUSTODY_SIGNING_KEY_FILE, CUSTODY_SIGNING_KEY, LOG_LEVEL, … (see docs/operations.md).
`;

/** What follows a usage error's own message, instead of the whole usage. */
const USAGE_HINT = 'Run "custody --help" for the commands and their options.';

/**
 * The options and arguments each command takes (besides --help): any other is refused (exit 2), so that a
 * misplaced or misspelt one never goes silently unused.
 */
const COMMANDS: Readonly<Record<string, { options: readonly string[]; args: readonly string[] }>> = {
  serve: { options: [], args: [] },
  migrate: { options: [], args: [] },
  'orgs create': { options: ['id', 'json'], args: ['<name>'] },
  'orgs list': { options: ['json'], args: [] },
  'keys create': { options: ['name', 'scopes', 'org', 'json'], args: [] },
  'keys list': { options: ['org', 'json'], args: [] },
  'keys revoke': { options: [], args: ['<key id>'] },
  checkpoint: { options: ['json'], args: ['<org>'] },
  tail: { options: ['from'], args: ['<org>'] },
  export: {
    options: ['output', 'format', 'mode', 'filter', 'matter-name', 'matter-number', 'custodian', 'reason', 'control-prefix', 'since-checkpoint', 'previous-bundle', 'include-dat', 'json', 'quiet'],
    args: ['<org>'],
  },
  verify: { options: ['vkey', 'vkey-file', 'json', 'threads', 'quiet'], args: ['<bundle.zip>'] },
  backup: { options: ['full', 'json', 'quiet'], args: ['<file>'] },
  check: { options: ['full', 'json', 'quiet'], args: [] },
  viewer: { options: ['port', 'dir'], args: [] },
  'signing-key create': { options: ['json'], args: [] },
  'signing-key show': { options: ['json'], args: [] },
  'signing-key rotate': { options: [], args: [] },
  'signing-key list': { options: ['json'], args: [] },
};

/** What a command with subcommands says when given none, or an unknown one. */
const SUBCOMMANDS: Readonly<Record<string, string>> = {
  orgs: 'orgs: use create or list',
  keys: 'keys: use create, list or revoke',
  'signing-key': 'signing-key: use create, show, rotate or list',
};

/** Refuses options and arguments the command does not take; returns the command's name ("orgs create"). */
function checkCommandLine(positionals: readonly string[], values: TValues): string {
  const [command = 'serve', sub] = positionals;
  const subcommand = SUBCOMMANDS[command];
  if (subcommand !== undefined && (sub === undefined || COMMANDS[`${command} ${sub}`] === undefined)) throw new UsageError(subcommand);
  const name = subcommand === undefined ? command : `${command} ${sub ?? ''}`;
  const spec = COMMANDS[name];
  if (spec === undefined) throw new UsageError(`unknown command "${command}"`);
  for (const [option, value] of Object.entries(values)) {
    if (value === undefined || option === 'help' || spec.options.includes(option)) continue;
    throw new UsageError(`${name} does not take --${option}${spec.options.length === 0 ? '' : ` (it takes ${spec.options.map((o) => `--${o}`).join(', ')})`}`);
  }
  const args = positionals.slice(name.split(' ').length);
  if (args.length > spec.args.length) {
    const extra = args.slice(spec.args.length).map((a) => JSON.stringify(a)).join(' ');
    throw new UsageError(`${name} takes ${spec.args.length === 0 ? 'no arguments' : spec.args.join(' ')}: unexpected ${extra}`);
  }
  return name;
}


function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A failed `listen` as the configuration problem it is (a port in use, a host that does not resolve), else itself. */
function listenProblem(config: TConfig, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const port = String(config.PORT);
  switch (code) {
    case 'EADDRINUSE':
      return configProblem('PORT', port, `port ${port} on ${config.HOST} is already in use by another process: stop it or choose another PORT`);
    case 'EACCES':
      return configProblem('PORT', port, `this user may not listen on port ${port} of ${config.HOST} (ports below 1024 need privileges)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return configProblem('HOST', config.HOST, `does not resolve (getaddrinfo ${code}): use an address such as 127.0.0.1 or 0.0.0.0, or a name this machine resolves`);
    case 'EADDRNOTAVAIL':
      return configProblem('HOST', config.HOST, 'is not an address of this machine (EADDRNOTAVAIL): use 127.0.0.1, 0.0.0.0 or one of its addresses');
    default:
      return error;
  }
}

/**
 * The banner a person reads at start, on stderr: stdout carries only the JSON log lines, for log shippers. The
 * bootstrap admin key, when this start created it, is only here: never in a log line.
 */
function banner(url: string, databaseLabel: string, key: { vkey: string; fingerprint: string }, bootstrap: string | null): string {
  return [
    '',
    `  Custody is running at ${url}`,
    `  database     ${databaseLabel}`,
    `  signing key  ${key.vkey}`,
    `               fingerprint ${key.fingerprint}`,
    '',
    ...(bootstrap === null
      ? []
      : [
          '  A bootstrap admin API key was created. It is shown ONCE; store it now:',
          '',
          `      ${bootstrap}`,
          '',
          '  Open the console and paste it, or use it from the command line:',
          `      export CUSTODY_API_KEY=${bootstrap}`,
          `      curl -s -X POST ${url}/trpc/organizations.create -H "Authorization: Bearer $CUSTODY_API_KEY" \\`,
          `           -H 'Content-Type: application/json' -d '{"id":"acme","name":"Acme Inc."}'`,
          '  Then create narrower keys (events:write for apps) in the console or with `custody keys create`.',
          '',
        ]),
  ].join('\n') + '\n';
}

async function serve(config: TConfig): Promise<void> {
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'custody' } });
  const booted = await boot(config, {
    onMigration: (name) => logger.info({ migration: name }, 'applying database migration'),
    onQueryNotice: (message) =>
      logger.warn({ statsMemoryBytes: config.statsMemoryBytes }, `${message} (the limit is CUSTODY_STATS_MEMORY_MB; see docs/operations.md)`),
    onWarning: (message) => logger.warn(message),
  });
  const { custody } = booted;
  await custody.start();
  if (booted.migrations.length > 0) logger.info({ migrations: booted.migrations }, 'database migrated');
  if (booted.createdSigningKey) logger.info({ file: config.signingKeyFile, vkey: booted.signingKey.vkey }, 'created the checkpoint signing key');
  if (booted.signingKey.name !== config.CUSTODY_LOG_NAME) {
    // C2SP tlog-checkpoint: a log's key name SHOULD be its origin. A key keeps the name it was made with.
    logger.warn(
      { keyName: booted.signingKey.name, logName: config.CUSTODY_LOG_NAME },
      `the signing key is named ${booted.signingKey.name}, not CUSTODY_LOG_NAME ${config.CUSTODY_LOG_NAME}: checkpoints of ${config.CUSTODY_LOG_NAME}/<organization> are signed under the other name. ` +
        'Verifiers that expect the log name will not find the key; to sign under it, rotate the key with CUSTODY_LOG_NAME set (custody signing-key rotate)',
    );
  }

  const http = await createHttpServer({ custody, logger, bodyLimit: config.CUSTODY_BODY_LIMIT, rateLimit: config.CUSTODY_RATE_LIMIT });
  let url: string;
  let bootstrap: { id: string; secret: string } | null;
  try {
    url = (await http.app.listen({ port: config.PORT, host: config.HOST })).replace('[::1]', 'localhost');
    // Only once listening, and printed as soon as created: a start that fails (a port in use) creates no key
    // that nobody saw, so the next start still creates and prints one.
    bootstrap = await createBootstrapKey(custody);
  } catch (error) {
    await http.app.close().catch(() => undefined);
    await custody.close();
    throw listenProblem(config, error);
  }
  process.stderr.write(banner(url, booted.databaseLabel, booted.signingKey, bootstrap?.secret ?? null));
  logger.info({ url, database: booted.databaseLabel, logName: config.CUSTODY_LOG_NAME, keyId: booted.signingKey.keyId }, 'custody server listening');
  if (bootstrap !== null) logger.info({ apiKeyId: bootstrap.id }, 'created the bootstrap admin API key (its secret is shown once, on stderr, and never logged)');

  // Graceful shutdown: /readyz turns 503 and the server stops accepting; in-flight requests get half of the
  // budget to finish, then connections still open (a client sending its body slowly, a long download) are
  // closed, so that Custody always closes: it commits what was acknowledged and signs a last checkpoint.
  const budget = config.CUSTODY_SHUTDOWN_TIMEOUT_MS;
  let stopping = false;
  let connectionsClosed = false;
  const closeConnections = (why: string) => {
    if (connectionsClosed) return;
    connectionsClosed = true;
    logger.warn(why);
    http.app.server.closeAllConnections();
  };
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      if (connectionsClosed) logger.warn({ signal }, 'already shutting down: committing queued events and signing the last checkpoints');
      else closeConnections(`${signal} again while shutting down: closing the connections of requests still running now`);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and signing final checkpoints');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: budget }, 'shutdown timed out (CUSTODY_SHUTDOWN_TIMEOUT_MS); exiting');
      void endProcess(1, logger, 0);
    }, budget);
    timer.unref();
    const drain = setTimeout(
      () => closeConnections(`requests still running ${Math.floor(budget / 2)} ms into the shutdown: closing their connections`),
      Math.floor(budget / 2),
    );
    drain.unref();
    http.setReady(false);
    try {
      await http.app.close();
      clearTimeout(drain);
      await custody.close();
      logger.info('stopped');
      await endProcess(0, logger);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      await endProcess(1, logger);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * How one-shot commands boot: they commit the few events they log (an export's audit event) on their own
 * thread. The writer thread pays off under a server's load; here it would only cost its start and memory.
 */
const ONE_SHOT = { ingest: { writerThread: false }, queryThreads: false } as const;

/** Runs a command against a booted Custody (no HTTP), then closes it. */
async function withCustody<T>(config: TConfig, fn: (booted: Awaited<ReturnType<typeof boot>>) => Promise<T>): Promise<T> {
  const booted = await boot(config, ONE_SHOT);
  try {
    return await fn(booted);
  } finally {
    await booted.custody.close();
  }
}

function parseScopes(text: string | undefined): TScope[] {
  if (text === undefined) throw new UsageError('--scopes is required, e.g. --scopes events:write');
  const scopes = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new UsageError(`unknown scope "${s}" (use ${SCOPES.join(', ')})`);
  return scopes as TScope[];
}

/** How often `tail` asks a database that went away whether it is back. */
const TAIL_RETRY_MS = 2_000;

async function tail(config: TConfig, organizationId: string, from: number | undefined): Promise<void> {
  const booted = await boot(config, ONE_SHOT);
  const { custody } = booted;
  await custody.organizations.get(organizationId);
  let next = from ?? (await custody.organizations.get(organizationId)).size;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The reader went away (`custody tail acme | head -1`): stop following, close the database, exit 0.
  watchStdout(stop);
  process.stderr.write(`following ${organizationId} from seq ${next} (Ctrl-C to stop)\n`);
  // A database that goes away for a while (a Postgres restart, a failover) is waited for, as `tail -F` waits for a
  // file: said once on stderr, then followed again from the next seq, nothing skipped or repeated.
  let unavailableSince: number | null = null;
  try {
    while (!stopped) {
      let rows: { seq: number; body: Uint8Array }[];
      try {
        rows = await custody.database.db
          .selectFrom('events')
          .select(['seq', 'body'])
          .where('organization_id', '=', organizationId)
          .where('seq', '>=', next)
          .orderBy('seq')
          .limit(1000)
          .execute();
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        if (unavailableSince === null) {
          unavailableSince = Date.now();
          process.stderr.write(`custody: tail: the database is unavailable (${error instanceof Error ? error.message : String(error)}); retrying every ${TAIL_RETRY_MS / 1000} s\n`);
        }
        await new Promise((r) => setTimeout(r, TAIL_RETRY_MS));
        continue;
      }
      if (unavailableSince !== null) {
        process.stderr.write(`custody: tail: the database answers again after ${Math.round((Date.now() - unavailableSince) / 1000)} s; following from seq ${next}\n`);
        unavailableSince = null;
      }
      for (const row of rows) {
        process.stdout.write(`${new TextDecoder().decode(row.body)}\n`);
        next = row.seq + 1;
      }
      if (rows.length < 1000) await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await custody.close();
  }
}

async function exportCommand(config: TConfig, organizationId: string | undefined, values: TValues): Promise<number> {
  if (organizationId === undefined) throw new UsageError('export needs an organization id');
  const required = (name: string) => {
    const v = str(values, name);
    if (v === undefined || v.trim() === '') throw new UsageError(`export needs --${name}`);
    return v;
  };
  const format = (str(values, 'format') ?? 'bundle') as 'bundle' | 'csv' | 'ndjson' | 'dat';
  if (!['bundle', 'csv', 'ndjson', 'dat'].includes(format)) throw new UsageError('--format must be bundle, csv, ndjson or dat');
  const mode = str(values, 'mode');
  if (mode !== undefined && mode !== 'complete-range' && mode !== 'selected') throw new UsageError('--mode must be complete-range or selected');
  let filter: Record<string, unknown> = {};
  const filterText = str(values, 'filter');
  if (filterText !== undefined) {
    // Strict: a filter naming a field twice would otherwise export by whichever JSON.parse kept, silently.
    try {
      filter = parseStrictJson(filterText) as Record<string, unknown>;
    } catch (error) {
      const why = error instanceof StrictJsonError ? ` (${error.message})` : '';
      throw new UsageError(`--filter must be JSON${why}, e.g. '{"actions":["user.*"],"occurredAfter":"2026-01-01T00:00:00Z"}'`);
    }
  }
  const includeDat = values['include-dat'] === true;
  if (includeDat && format !== 'bundle') throw new UsageError('--include-dat adds a DAT load file to a bundle; for a DAT file alone use --format dat');
  const since = str(values, 'since-checkpoint');
  let previousCustody: Record<string, unknown>[] | undefined;
  const previousBundle = str(values, 'previous-bundle');
  if (previousBundle !== undefined) previousCustody = await readCustodyChain(previousBundle);
  const { userInfo } = await import('node:os');
  const { copyFile } = await import('node:fs/promises');
  const user = userInfo().username;
  const booted = await boot(config, ONE_SHOT);
  const { custody } = booted;
  try {
    await custody.signingKeys.activate(custody.signingKey);
    await custody.exports.start();
    const started = await custody.exports.create(
      organizationId,
      {
        format,
        ...(mode === undefined ? {} : { mode }),
        filter,
        matter: { name: required('matter-name'), number: required('matter-number') },
        custodian: required('custodian'),
        reason: required('reason'),
        ...(str(values, 'control-prefix') === undefined ? {} : { controlPrefix: str(values, 'control-prefix') }),
        ...(since === undefined ? {} : { sinceCheckpointSize: Number(since) }),
        ...(previousCustody === undefined ? {} : { previousCustody }),
        ...(includeDat ? { includeDat } : {}),
      },
      { type: 'cli', id: user, name: `${user} (custody CLI)` },
    );
    let info = started;
    while (info.status === 'queued' || info.status === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      info = await custody.exports.get(organizationId, started.id);
      if (values.quiet !== true && values.json !== true) {
        process.stderr.write(`\r  ${info.status} ${info.progress.done.toLocaleString('en-US')}${info.progress.total === null ? '' : ` / ${info.progress.total.toLocaleString('en-US')}`} leaves`);
      }
    }
    if (values.quiet !== true && values.json !== true) process.stderr.write('\n');
    if (info.status !== 'completed') {
      process.stderr.write(`custody: export ${info.id} ${info.status}: ${info.error ?? 'unknown error'}\n`);
      return 1;
    }
    const file = await custody.exports.file(organizationId, info.id);
    const output = str(values, 'output') ?? file.fileName;
    await copyFile(file.path, output);
    if (values.json === true) print(JSON.stringify({ ...info, output }));
    else {
      print(`wrote ${output} (${file.size.toLocaleString('en-US')} bytes)`);
      print(`sha256 ${file.sha256}`);
      if (info.counts !== null) print(`events ${info.counts.shown} shown, ${info.counts.withheld} withheld, ${info.counts.purged} purged; checkpoint size ${info.checkpointSize ?? '?'}`);
      if (info.controlNumbers !== null) print(`control numbers ${info.controlNumbers.first}–${info.controlNumbers.last}`);
      print(`logged as ${info.auditEvent?.id ?? '?'} (seq ${info.auditEvent?.seq ?? '?'}) in ${organizationId}'s log`);
      // Only a bundle carries its proofs; a CSV, NDJSON or DAT production is checked by its SHA-256 alone.
      if (format === 'bundle') print(`verify with: custody verify ${output} --vkey '${custody.signingKey.vkey}'`);
      else print(`check with: sha256sum ${output} (the SHA-256 above; a ${format.toUpperCase()} production holds no proofs: export a bundle to verify offline)`);
    }
    return 0;
  } finally {
    await custody.close();
  }
}

/** The custody entries of an earlier bundle (its `data/custody.json`, plus its own `previous`). */
async function readCustodyChain(path: string): Promise<Record<string, unknown>[]> {
  const { openZip } = await import('@custody/bundle');
  const { nodeInflateRaw, openFileSource } = await import('@custody/core');
  const source = await openFileSource(path);
  try {
    const zip = await openZip(source, { inflateRaw: nodeInflateRaw });
    const entry = zip.entries.find((e) => /^[^/]+\/data\/custody\.json$/.test(e.name));
    if (entry === undefined) throw new UsageError(`${path} is not a Custody evidence bundle (no data/custody.json)`);
    const record = JSON.parse(new TextDecoder().decode(await zip.read(entry, 16 * 1024 * 1024))) as Record<string, unknown>;
    const previous = Array.isArray(record.previous) ? (record.previous as Record<string, unknown>[]) : [];
    const { previous: _omit, ...current } = record;
    return [...previous, current];
  } finally {
    await source.close();
  }
}

/** Where `@custody/viewer`'s browser build (`npm run build -w @custody/viewer`) is, if built. */
function findViewerDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@custody/viewer/package.json')), 'dist-web');
    return existsSync(join(dir, 'index.html')) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * `custody viewer`: serves the viewer's static web build on 127.0.0.1 only (the viewer reads bundles from the
 * examiner's disk inside the browser; nothing is uploaded, and the page makes no other request). Keeps running
 * until SIGINT/SIGTERM.
 */
async function viewerCommand(values: TValues): Promise<number> {
  const portText = str(values, 'port') ?? '4400';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || !Number.isSafeInteger(port) || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${portText}"`);
  const dirOption = str(values, 'dir');
  const root = dirOption === undefined ? findViewerDir() : resolve(dirOption);
  if (root === null || !existsSync(join(root, 'index.html'))) {
    process.stderr.write(
      `custody: the viewer's web build was not found${root === null ? '' : ` in ${root}`}. Build it with "npm run build -w @custody/viewer" (it writes apps/viewer/dist-web), or give --dir <folder>.\n`,
    );
    return 1;
  }
  const { default: Fastify } = await import('fastify');
  const { default: fastifyStatic } = await import('@fastify/static');
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (_request, reply) => {
    // The page carries its CSP in a <meta> tag; the header adds what a meta tag cannot (no framing).
    reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'] });
  const address = await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write(`\n  Custody Viewer is running at ${address}/\n  serving ${root}\n  Open it in a Chromium-based browser; bundles are read on this computer and never uploaded.\n\n`);
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1; // keeps running
}

/** Entry point: returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      scopes: { type: 'string' },
      from: { type: 'string' },
      json: { type: 'boolean' },
      vkey: { type: 'string', multiple: true },
      'vkey-file': { type: 'string', multiple: true },
      threads: { type: 'string' },
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      mode: { type: 'string' },
      filter: { type: 'string' },
      'matter-name': { type: 'string' },
      'matter-number': { type: 'string' },
      custodian: { type: 'string' },
      reason: { type: 'string' },
      'control-prefix': { type: 'string' },
      'since-checkpoint': { type: 'string' },
      'previous-bundle': { type: 'string' },
      'include-dat': { type: 'boolean' },
      port: { type: 'string' },
      dir: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      full: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = 'serve', sub, arg] = positionals;
  if (values.help === true || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  checkCommandLine(positionals, values);
  // `verify` works on a file alone: no configuration, no database.
  if (command === 'verify') return verifyCommand(sub, values);
  // `viewer` serves static files only: no configuration, no database.
  if (command === 'viewer') return viewerCommand(values);
  const config = loadConfig();
  switch (command) {
    case 'export':
      return exportCommand(config, sub, values);
    case 'backup':
      // The copy is made readable by its owner alone; the original is looked at as every command does.
      warnIfOpenToOthers(config);
      return backupCommand(config, sub, values);
    case 'check': {
      // Not created here (the check reads): a missing SQLite file or an unreachable server is said as such.
      const database = await openConfiguredDatabase(config, { create: false, sqliteReadonly: true, maxConnections: 1 });
      try {
        await requireCustodyTables(config, database);
      } finally {
        await database.close();
      }
      return checkCommand(config, values);
    }
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'migrate': {
      await ensureDataDir(config);
      const database = await openConfiguredDatabase(config, { maxConnections: 1 });
      try {
        const { applied } = await migrateToLatest(database.db, database.dialect);
        print(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'orgs':
      if (sub === 'create') {
        if (arg === undefined) throw new UsageError('orgs create needs a name: custody orgs create "Acme Inc." [--id acme]');
        // A usage error, refused before the database is opened (the same rule as the API's).
        const id = str(values, 'id');
        if (id !== undefined && !SERVER_ORGANIZATION_ID_PATTERN.test(id)) throw new UsageError(`--id ${JSON.stringify(id)} must match ${SERVER_ORGANIZATION_ID_PATTERN.source}`);
        const org = await withCustody(config, async ({ custody }) => custody.createOrganization({ name: arg, ...(id === undefined ? {} : { id }) }));
        print(values.json === true ? JSON.stringify(org) : `created ${org.id} (${org.name}); log origin ${org.origin}`);
        return 0;
      }
      if (sub === 'list') {
        const orgs = await withCustody(config, ({ custody }) => custody.organizations.list());
        if (values.json === true) print(JSON.stringify(orgs));
        else for (const o of orgs) print(`${o.id}\t${o.size} events\t${o.name}`);
        return 0;
      }
      throw new UsageError('orgs: use create or list');
    case 'keys':
      if (sub === 'create') {
        if (values.name === undefined) throw new UsageError('keys create needs --name');
        const scopes = parseScopes(values.scopes);
        const created = await withCustody(config, ({ custody }) =>
          custody.apiKeys.create({ name: values.name ?? '', organizationId: values.org ?? null, scopes, createdBy: 'cli' }),
        );
        if (values.json === true) print(JSON.stringify(created));
        else {
          print(`created ${created.key.id} (${created.key.scopes.join(' ')}) for ${created.key.organizationId ?? 'all organizations'}`);
          print(`secret (shown once): ${created.secret}`);
        }
        return 0;
      }
      if (sub === 'list') {
        const keys = await withCustody(config, async ({ custody }) => {
          if (values.org === undefined) return custody.apiKeys.list({});
          // An organization that does not exist is an error, as it is over the API (not an empty list).
          await custody.organizations.get(values.org);
          return custody.apiKeys.list({ organizationId: values.org });
        });
        if (values.json === true) print(JSON.stringify(keys));
        else for (const k of keys) print(`${k.id}\t${k.prefix}…\t${k.organizationId ?? '*'}\t${k.scopes.join(' ')}\t${k.revokedAt === null ? 'active' : `revoked ${k.revokedAt}`}\t${k.name}`);
        return 0;
      }
      if (sub === 'revoke') {
        if (arg === undefined) throw new UsageError('keys revoke needs a key id');
        const key = await withCustody(config, ({ custody }) => custody.apiKeys.revoke(arg));
        print(`revoked ${key.id}`);
        return 0;
      }
      throw new UsageError('keys: use create, list or revoke');
    case 'checkpoint': {
      if (sub === undefined) throw new UsageError('checkpoint needs an organization id');
      const cp = await withCustody(config, async ({ custody }) => {
        await custody.signingKeys.activate(custody.signingKey);
        return custody.log.latestCheckpoint(sub, { fresh: true });
      });
      process.stdout.write(values.json === true ? `${JSON.stringify(cp)}\n` : cp.note);
      return 0;
    }
    case 'tail': {
      if (sub === undefined) throw new UsageError('tail needs an organization id');
      const from = values.from === undefined ? undefined : Number(values.from);
      if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) throw new UsageError('--from must be a non-negative integer');
      await tail(config, sub, from);
      return 0;
    }
    case 'signing-key':
      if (sub === 'create') {
        // The first key of a deployment, made deliberately (every process then gets it), rather than by whichever
        // server starts first. Never over an existing key, nor for a database already signed with another.
        if (config.CUSTODY_SIGNING_KEY !== undefined) {
          throw new ConfigError('CUSTODY_SIGNING_KEY is set: the servers sign with the key it holds. To create a key file, unset it: CUSTODY_SIGNING_KEY= CUSTODY_SIGNING_KEY_FILE=/secure/signing.key custody signing-key create');
        }
        if ((await configuredSigningKey(config, false)) !== null) {
          throw new UsageError(`there is a signing key at ${config.signingKeyFile} already: custody signing-key show prints it, custody signing-key rotate replaces it`);
        }
        const signedBy = await configuredDatabaseSigningKey(config);
        if (signedBy !== null) throw missingKeyFile(config, signedBy);
        const { key } = await configuredSigningKey(config, true);
        if (values.json === true) print(JSON.stringify({ file: config.signingKeyFile, vkey: key.vkey, keyId: key.keyId, fingerprint: key.fingerprint }));
        else {
          print(`created ${config.signingKeyFile} (readable by its owner alone)\n${key.vkey}\nfingerprint ${key.fingerprint}`);
          print('Give every server process this file (CUSTODY_SIGNING_KEY_FILE) or its text (CUSTODY_SIGNING_KEY), and keep a copy apart and secret.');
        }
        return 0;
      }
      if (sub === 'show') {
        // The key the servers sign with: CUSTODY_SIGNING_KEY's when set, else the key file's. Never created here.
        const found = await configuredSigningKey(config, false);
        if (found === null) throw await noSigningKey(config);
        const { key } = found;
        print(values.json === true ? JSON.stringify({ vkey: key.vkey, keyId: key.keyId, fingerprint: key.fingerprint }) : `${key.vkey}\nfingerprint ${key.fingerprint}`);
        return 0;
      }
      if (sub === 'rotate') {
        if (config.CUSTODY_SIGNING_KEY !== undefined) {
          throw new ConfigError(
            'CUSTODY_SIGNING_KEY is set: the servers sign with the key it holds, not with a key file, so there is nothing here to rotate.\n' +
              'Rotate it where it is kept: write a new key to its file with\n' +
              '  CUSTODY_SIGNING_KEY= CUSTODY_SIGNING_KEY_FILE=/secure/signing.key custody signing-key rotate\n' +
              '(the old key is kept beside it as signing.key.<id>.retired), then give every process the new key in\n' +
              'CUSTODY_SIGNING_KEY and restart them: each publishes the new vkey at start, and the old vkeys stay published.',
          );
        }
        if ((await configuredSigningKey(config, false)) === null) {
          // The key file is gone but the database signed with it (see `boot`): rotating is the deliberate way to a
          // new key. The lost key stays published, so its checkpoints still verify.
          const signedBy = await configuredDatabaseSigningKey(config);
          if (signedBy === null) throw await noSigningKey(config);
          const { key } = await configuredSigningKey(config, true);
          print(
            `no key file at ${config.signingKeyFile}: wrote a new key there\nlost    ${signedBy} (stays published)\nactive  ${key.vkey}\nRestart the server (every process) to sign with the new key.`,
          );
          return 0;
        }
        const { previous, next } = await rotateSigningKeyFile(config.signingKeyFile, config.CUSTODY_LOG_NAME);
        print(`retired ${previous.vkey}\nactive  ${next.vkey}\nRestart the server (every process) to sign with the new key; the old vkey stays published.`);
        return 0;
      }
      if (sub === 'list') {
        const keys = await withCustody(config, async ({ custody }) => {
          await custody.signingKeys.activate(custody.signingKey);
          return custody.signingKeys.list();
        });
        if (values.json === true) print(JSON.stringify(keys));
        else for (const k of keys) print(`${k.vkey}\t${k.fingerprint}\t${k.retiredAt === null ? 'active' : `retired ${k.retiredAt}`}`);
        return 0;
      }
      throw new UsageError('signing-key: use create, show, rotate or list');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * There is no signing key file, and no CUSTODY_SIGNING_KEY: named after the setting that says where it would be.
 * When the database has signed with a key, `serve` would not create one either: that is said instead.
 */
async function noSigningKey(config: TConfig): Promise<ConfigError> {
  const signedBy = await configuredDatabaseSigningKey(config);
  if (signedBy !== null) return missingKeyFile(config, signedBy);
  const [name, value] = config.CUSTODY_SIGNING_KEY_FILE === undefined ? ['CUSTODY_DATA_DIR', config.CUSTODY_DATA_DIR] : ['CUSTODY_SIGNING_KEY_FILE', config.signingKeyFile];
  return configProblem(
    name,
    value,
    `there is no signing key at ${config.signingKeyFile} yet: custody signing-key create, or custody serve at its first start, creates it (servers that sign with CUSTODY_SIGNING_KEY need it set here too)`,
  );
}

/** Runs `main` and turns errors into messages and exit statuses (2 usage/config, 1 failure). */
export async function run(argv: readonly string[]): Promise<void> {
  // A reader that goes away (`| head -1`) leaves each command's exit status its own; `tail` stops then. (`serve`
  // writes its logs through pino's own stream, not this one.)
  watchStdout();
  try {
    const status = await main(argv);
    if (status >= 0) process.exit(status);
  } catch (error) {
    // Input the command refused (a key name too long, an export filter the API refuses) is a usage error too, with the
    // same hint as the command line's own.
    const refusedInput = isAppError(error) && error.code === 'BAD_REQUEST';
    if (refusedInput || error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`custody: ${(error as Error).message}\n${USAGE_HINT}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`custody: ${error.message}\n`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`custody: ${message}\n`);
    process.exit(1);
  }
}

const isEntry = process.argv[1] !== undefined && /cli\.(ts|js|mjs)$/.test(process.argv[1]);
if (isEntry) void run(process.argv.slice(2));
