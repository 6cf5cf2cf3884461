/**
 * Opening everything a command needs: the database (migrated), the signing key and `Custody`.
 */
import { closeSync, constants, existsSync, fchmodSync, openSync, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ApiKeys, Custody, SigningKeys, isAppError, loadOrCreateSigningKey, makeDirectory, signingKeyFromText } from '@custody/core';
import type { TCheckpointerOptions, TIngestOptions, TSigningKey } from '@custody/core';
import { POSTGRES_CONNECT_TIMEOUT_MS, isDatabaseUnavailable, migrateToLatest, openDatabase, parseDatabaseUrl } from '@custody/db';
import type { CustodyDatabase, TOpenDatabaseOptions } from '@custody/db';

import { ConfigError } from './env';
import type { TConfig } from './env';

export interface TBooted {
  custody: Custody;
  signingKey: TSigningKey;
  /** True when this start created the signing key. */
  createdSigningKey: boolean;
  /** Migrations applied by this start. */
  migrations: string[];
  /** A printable description of the database (no password). */
  databaseLabel: string;
}

/** Describes a database URL without its password. */
export function databaseLabel(url: string): string {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') return `SQLite ${target.filename}`;
  return `Postgres ${target.connectionString.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`;
}

/** A configuration problem found at start (not by the schema): names the variable and its value; exit status 2. */
export function configProblem(name: string, value: string, problem: string): ConfigError {
  return new ConfigError(`${name}=${JSON.stringify(value)}: ${problem}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The variable that says where the database is: DATABASE_URL when set, else CUSTODY_DATA_DIR (SQLite in it). */
function databaseSetting(config: TConfig): [name: string, value: string] {
  return config.DATABASE_URL === undefined
    ? ['CUSTODY_DATA_DIR', config.CUSTODY_DATA_DIR]
    : ['DATABASE_URL', databaseLabel(config.DATABASE_URL).replace(/^(SQLite|Postgres) /, '')];
}

/** Creates the data directory (mode 0700) if missing, and checks that this process can write in it. */
export async function ensureDataDir(config: TConfig): Promise<void> {
  await ensureDirectory('CUSTODY_DATA_DIR', config.CUSTODY_DATA_DIR);
}

/** The same for a directory named by the setting `name` (a ConfigError naming it when it cannot be). */
async function ensureDirectory(name: string, dir: string): Promise<void> {
  try {
    await makeDirectory(dir, 0o700);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw configProblem(name, dir, 'is not a directory (a file is in the way)');
    if (code === 'ENOENT') throw configProblem(name, dir, 'cannot be created: the file system there takes no new directory (ENOENT); choose a directory on a disk');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw configProblem(name, dir, `cannot be created or written by this user (${code}): choose a writable directory or fix its owner or mode`);
    }
    throw error;
  }
}

/** Where a warning of a command goes by default: stderr (`custody serve` logs it instead). */
function warnOnStderr(message: string): void {
  process.stderr.write(`custody: warning: ${message}\n`);
}

/** The paths already warned about by this process (the check command opens the database twice). */
const warnedAbout = new Set<string>();

/**
 * SQLite files: the warning to give if the data directory, or the database file and its `-wal` / `-shm`, are open
 * to other local users (any group or other permission bit): the database holds every event and the API keys'
 * hashes. Existing modes are left as they are (an install may rely on a group), so the warning says the `chmod` to
 * run. `null`: nothing to say, or said already by this process (the check command opens the database twice).
 */
function openToOthersWarning(config: TConfig): { paths: string[]; message: string } | null {
  if (process.platform === 'win32') return null;
  const target = parseDatabaseUrl(config.databaseUrl);
  // Postgres: the data directory holds only the signing key (0600) and the exports (0700).
  if (target.kind !== 'sqlite' || target.filename === ':memory:') return null;
  const open: { path: string; mode: number; directory: boolean }[] = [];
  for (const [path, directory] of [[config.CUSTODY_DATA_DIR, true], [target.filename, false], [`${target.filename}-wal`, false], [`${target.filename}-shm`, false]] as const) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // not there (yet): nothing to say
    }
    if ((mode & 0o077) !== 0 && !warnedAbout.has(path)) open.push({ path, mode, directory });
  }
  if (open.length === 0) return null;
  const described = open.map((o) => `${o.directory ? 'the data directory ' : ''}${o.path} (mode ${o.mode.toString(8)})`);
  const quoted = (path: string) => (/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`);
  const dirs = open.filter((o) => o.directory).map((o) => quoted(o.path));
  const files = open.filter((o) => !o.directory).map((o) => quoted(o.path));
  const chmods = [...(dirs.length === 0 ? [] : [`chmod 700 ${dirs.join(' ')}`]), ...(files.length === 0 ? [] : [`chmod 600 ${files.join(' ')}`])];
  return {
    paths: open.map((o) => o.path),
    message: `${described.join(', ')} ${open.length === 1 ? 'is' : 'are'} open to other local users, and the database holds every event and the API key hashes: run ${chmods.join(' && ')} (Custody does not change the mode of an existing file or directory)`,
  };
}

function warnOnce(warning: { paths: string[]; message: string } | null, warn: (message: string) => void = warnOnStderr): void {
  if (warning === null) return;
  for (const path of warning.paths) warnedAbout.add(path);
  warn(warning.message);
}

/** Warns (default: on stderr) if the data directory or the SQLite database is open to others: see `openToOthersWarning`. */
export function warnIfOpenToOthers(config: TConfig, warn?: (message: string) => void): void {
  warnOnce(openToOthersWarning(config), warn);
}

/**
 * Creates a SQLite database file that does not exist yet empty with mode 0600, before SQLite opens it: SQLite
 * creates the file with the umask's mode (0644 under the usual 022), and its `-wal` and `-shm` files with the
 * database file's mode. An existing file is left as it is. Failures are left to SQLite's open to report.
 */
function createSqliteFilePrivately(filename: string): void {
  let fd: number;
  try {
    fd = openSync(filename, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch {
    return; // it exists, or its directory does not: openDatabase says which
  }
  try {
    fchmodSync(fd, 0o600); // whatever the umask (a stricter one would make it unwritable)
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the configured database, turning what is a configuration problem into a `ConfigError` that names the
 * variable: a SQLite file that cannot be opened (its directory missing, not a database) and, with `create: false`,
 * one that does not exist yet; a Postgres server that cannot be reached or refuses the connection (checked with
 * one query, so that the message is not a migration's). A SQLite file it creates is readable by its owner alone;
 * `warn` (default: stderr) is told once if the data directory or an existing database file is open to others.
 */
export async function openConfiguredDatabase(
  config: TConfig,
  options: Omit<TOpenDatabaseOptions, 'url'> & { create?: boolean; warn?: (message: string) => void } = {},
): Promise<CustodyDatabase> {
  const { create = true, warn, ...open } = options;
  const target = parseDatabaseUrl(config.databaseUrl);
  const [name, value] = databaseSetting(config);
  if (target.kind === 'sqlite' && target.filename !== ':memory:' && !create && !existsSync(target.filename)) {
    throw configProblem(name, value, `there is no database at ${target.filename} yet (custody serve or custody migrate creates it)`);
  }
  // Looked at before SQLite opens the file, whose -wal and -shm it then creates with the file's mode.
  const warning = openToOthersWarning(config);
  if (target.kind === 'sqlite' && target.filename !== ':memory:' && create && open.sqliteReadonly !== true) createSqliteFilePrivately(target.filename);
  let database: CustodyDatabase;
  try {
    database = await openDatabase({ url: config.databaseUrl, ...open });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (target.kind === 'sqlite' && (/directory does not exist/.test(errorText(error)) || (typeof code === 'string' && /^SQLITE_(CANTOPEN|NOTADB|READONLY|PERM)/.test(code)))) {
      throw configProblem(name, value, `the SQLite database ${target.filename} cannot be opened: ${errorText(error)}`);
    }
    throw error;
  }
  if (target.kind === 'postgres') {
    try {
      await database.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    } catch (error) {
      await database.close().catch(() => undefined);
      const code = (error as { code?: unknown }).code;
      const network = typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code);
      // pg's own connect timeout (the host dropped packets, or accepted and never answered) has no code.
      const silent = code === undefined && /^timeout expired$|connection timeout/i.test(errorText(error));
      const at = databaseLabel(config.databaseUrl).slice('Postgres '.length);
      const what = silent
        ? `did not answer within ${POSTGRES_CONNECT_TIMEOUT_MS / 1000} s`
        : network
          ? 'could not be reached'
          : isDatabaseUnavailable(error)
            ? 'is not available (it closed the connection, or is starting or stopping)'
            : 'refused the connection';
      throw new ConfigError(`${name}: the database at ${at} ${what}: ${errorText(error)}`);
    }
  }
  warnOnce(warning, warn);
  return database;
}

/** Whether the database holds Custody's tables yet: migration 0001 makes them all, and no later one drops one. */
async function holdsCustodyTables(db: CustodyDatabase['db']): Promise<boolean> {
  return (await db.introspection.getTables()).some((t) => t.name === 'signing_keys');
}

/**
 * Refuses, as a `ConfigError` naming the variable, a database that holds no Custody tables yet (a Postgres database
 * just created, an empty SQLite file): for the commands that read one and create nothing (`check`), which would
 * otherwise fail on the first missing table.
 */
export async function requireCustodyTables(config: TConfig, database: CustodyDatabase): Promise<void> {
  if (await holdsCustodyTables(database.db)) return;
  const [name, value] = databaseSetting(config);
  throw configProblem(name, value, 'holds no Custody database yet (custody serve or custody migrate creates it)');
}

/** The key file's setting in messages: the variable and the file's path (the default one when it is unset). */
function keyFileSetting(config: TConfig): string {
  const path = JSON.stringify(config.signingKeyFile);
  return config.CUSTODY_SIGNING_KEY_FILE === undefined ? `CUSTODY_SIGNING_KEY_FILE (unset: the default ${path})` : `CUSTODY_SIGNING_KEY_FILE=${path}`;
}

/** A key file that cannot be read or created, as a `ConfigError` naming its setting; other errors as they are. */
function keyFileProblem(config: TConfig, error: unknown, doing: 'read' | 'created'): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new ConfigError(`${keyFileSetting(config)}: cannot be ${doing}: permission denied (${code}): give the user running Custody access to the file and the directories above it`);
  }
  if (code === 'ENOTDIR') return new ConfigError(`${keyFileSetting(config)}: cannot be ${doing}: a part of its path is a file, not a directory`);
  if (code === 'EROFS') return new ConfigError(`${keyFileSetting(config)}: cannot be ${doing}: the file system is read-only`);
  return error;
}

/** Whether the key file exists, refusing one that cannot be read or is not a file. */
async function keyFileExists(config: TConfig): Promise<boolean> {
  let info;
  try {
    info = await stat(config.signingKeyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw keyFileProblem(config, error, 'read');
  }
  if (info.isDirectory()) throw new ConfigError(`${keyFileSetting(config)}: is a directory, not a key file`);
  if (!info.isFile()) throw new ConfigError(`${keyFileSetting(config)}: is not a regular file`);
  return true;
}

/**
 * The signing key of the configuration: CUSTODY_SIGNING_KEY's, else the key file's. A missing key file is created
 * if `create` (`boot` does so only when the database has no signing key: see `missingKeyFile`), else `null`.
 */
export async function configuredSigningKey(config: TConfig, create: true): Promise<{ key: TSigningKey; created: boolean }>;
export async function configuredSigningKey(config: TConfig, create: false): Promise<{ key: TSigningKey; created: boolean } | null>;
export async function configuredSigningKey(config: TConfig, create: boolean): Promise<{ key: TSigningKey; created: boolean } | null> {
  if (config.CUSTODY_SIGNING_KEY !== undefined) {
    try {
      return { key: signingKeyFromText(config.CUSTODY_SIGNING_KEY), created: false };
    } catch (error) {
      throw new ConfigError(`CUSTODY_SIGNING_KEY: ${errorText(error)}`);
    }
  }
  const exists = await keyFileExists(config);
  if (!create && !exists) return null;
  try {
    return await loadOrCreateSigningKey(config.signingKeyFile, config.CUSTODY_LOG_NAME);
  } catch (error) {
    // A key file others can read, or one that holds no key.
    if (isAppError(error) && error.code === 'BAD_REQUEST') throw new ConfigError(`CUSTODY_SIGNING_KEY_FILE: ${error.message}`);
    throw keyFileProblem(config, error, exists ? 'read' : 'created');
  }
}

/**
 * The key this database's checkpoints are signed with (its published active key, else the key of its latest
 * checkpoint), described for a message, or `null` when it has none: a database that never signed, or one without
 * tables yet (`holdsCustodyTables`).
 */
export async function databaseSigningKey(db: CustodyDatabase['db']): Promise<string | null> {
  if (!(await holdsCustodyTables(db))) return null;
  const [active] = await new SigningKeys(db).list();
  if (active !== undefined) return `${active.vkey.split('+').slice(0, 2).join('+')} (fingerprint ${active.fingerprint})`;
  const latest = await db.selectFrom('checkpoints').select('key_id').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return latest === undefined ? null : latest.key_id;
}

/**
 * The refusal to sign with a new key when the key file is missing but the database's checkpoints are signed by
 * another (a key mount that failed, a restore without the key): exit status 2, and what to do.
 */
export function missingKeyFile(config: TConfig, signedBy: string): ConfigError {
  return new ConfigError(
    `${keyFileSetting(config)}: there is no key file, but this database's checkpoints are signed by key ${signedBy}: restore that key file (from a backup, or the mount that failed), or if the key is lost for good make a new one deliberately with "custody signing-key rotate"`,
  );
}

/**
 * Whether the configured database (if there is one yet) has signed with a key, for the commands that do not boot:
 * `signing-key show` and `rotate`. Opened read-only; a database without tables yet has none.
 */
export async function configuredDatabaseSigningKey(config: TConfig): Promise<string | null> {
  const target = parseDatabaseUrl(config.databaseUrl);
  if (target.kind === 'sqlite' && (target.filename === ':memory:' || !existsSync(target.filename))) return null;
  const database = await openConfiguredDatabase(config, { create: false, sqliteReadonly: true, maxConnections: 1 });
  try {
    return await databaseSigningKey(database.db).catch(() => null);
  } finally {
    await database.close();
  }
}

/**
 * Creates the bootstrap admin API key if the database holds no API key at all, and returns it (`null`: keys exist).
 * Checked and created in one transaction, under a named lock (`CustodyDialect.lockNamed`), so that processes
 * starting together on an empty database create one key between them.
 */
export async function createBootstrapKey(custody: Custody): Promise<{ id: string; secret: string } | null> {
  const { db, dialect } = custody.database;
  return db.transaction().execute(async (trx) => {
    await dialect.lockNamed(trx, 'custody bootstrap admin key');
    const keys = new ApiKeys(trx);
    if (!(await keys.isEmpty())) return null;
    const created = await keys.create({ name: 'bootstrap admin', organizationId: null, scopes: ['admin'], createdBy: 'bootstrap' });
    return { id: created.key.id, secret: created.secret };
  });
}

/**
 * Opens and migrates the database, loads the signing key (creating it only for a database that never signed:
 * else a missing key file is a `ConfigError`), and builds `Custody`.
 */
export async function boot(
  config: TConfig,
  options: {
    ingest?: TIngestOptions;
    checkpoints?: TCheckpointerOptions;
    /** `false`: queries on the calling thread (one-shot commands). Default: `CUSTODY_QUERY_THREADS` threads. */
    queryThreads?: false;
    /** Told as each pending database migration starts. */
    onMigration?: (name: string) => void;
    /** Told once if the query threads' statistics copy cannot be made or is given up (statistics then run in SQL). */
    onQueryNotice?: (message: string) => void;
    /** Told once if the data directory or the database file is open to other users. Default: stderr. */
    onWarning?: (message: string) => void;
  } = {},
): Promise<TBooted> {
  const target = parseDatabaseUrl(config.databaseUrl);
  await ensureDataDir(config);
  if (config.CUSTODY_EXPORT_DIR !== undefined) await ensureDirectory('CUSTODY_EXPORT_DIR', config.exportDir);
  // A key file that is there is read before the database is opened (a bad one changes nothing); a missing one is
  // created only if the database has never signed with another key.
  const existing = await configuredSigningKey(config, false);
  const database = await openConfiguredDatabase(config, {
    maxConnections: config.CUSTODY_PG_POOL_SIZE,
    sqliteSynchronous: config.CUSTODY_SQLITE_SYNCHRONOUS,
    ...(options.onWarning === undefined ? {} : { warn: options.onWarning }),
  });
  let migrations: string[];
  let signingKey: TSigningKey;
  let createdSigningKey: boolean;
  try {
    if (existing === null) {
      // Asked before migrating, so that a refused start leaves the database as it was.
      const signedBy = await databaseSigningKey(database.db);
      if (signedBy !== null) throw missingKeyFile(config, signedBy);
    }
    migrations = (await migrateToLatest(database.db, database.dialect, { onMigration: options.onMigration })).applied;
    ({ key: signingKey, created: createdSigningKey } = existing ?? (await configuredSigningKey(config, true)));
  } catch (error) {
    await database.close();
    throw error;
  }
  const custody = new Custody(database, {
    logName: config.CUSTODY_LOG_NAME,
    signingKey,
    ingest: { commitTimeoutMs: config.CUSTODY_INGEST_TIMEOUT_MS, ...options.ingest },
    checkpoints: { intervalMs: config.CUSTODY_CHECKPOINT_INTERVAL_MS, ...options.checkpoints },
    queryThreads:
      options.queryThreads === false || config.CUSTODY_QUERY_THREADS === 0
        ? false
        : // The statistics copy is saved beside the signing key, and restored at the next start (SQLite files).
          {
            threads: config.CUSTODY_QUERY_THREADS,
            statsMemoryBytes: config.statsMemoryBytes,
            ...(options.onQueryNotice === undefined ? {} : { onNotice: options.onQueryNotice }),
            queries: { facetSnapshot: join(config.CUSTODY_DATA_DIR, 'statistics-copy.bin') },
          },
    queryTimeoutMs: config.CUSTODY_QUERY_TIMEOUT_MS,
    databaseTimeoutMs: config.CUSTODY_DATABASE_TIMEOUT_MS,
    exports: { directory: config.exportDir, retentionMs: config.CUSTODY_EXPORT_RETENTION_HOURS * 3600 * 1000, toolVersion: 'custody-server 0.1.0' },
  });
  return { custody, signingKey, createdSigningKey, migrations, databaseLabel: target.kind === 'sqlite' ? `SQLite ${target.filename}` : databaseLabel(config.databaseUrl) };
}
