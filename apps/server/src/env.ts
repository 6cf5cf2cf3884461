/**
 * The server's configuration: the only file that reads `process.env`. Every value is validated at
 * start; a bad one stops the process with a message naming the variable and the rule.
 */
import { totalmem } from 'node:os';
import { resolve } from 'node:path';

import { z } from 'zod';

import { parseDatabaseUrl } from '@custody/db';

/**
 * A whole number written in decimal digits only, from `min` to `max`. Not a coerced number, which reads `" "` as 0
 * (a random port), `0x1069` as 4201 and `1e3` as 1000: a typo would silently mean something else.
 */
function ZInt(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number in decimal digits (no sign, spaces, decimal point, exponent or 0x)')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

const ZPort = ZInt(0, 65535);
const ZPositiveInt = ZInt(1);

export const ZEnvSchema = z.object({
  /** TCP port. Default 4000. */
  PORT: ZPort.default(4000),
  /** Interface to listen on. Default 127.0.0.1 (set 0.0.0.0 to accept remote connections). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the SQLite database and the signing key live. Default ./data. */
  CUSTODY_DATA_DIR: z.string().min(1).default('./data'),
  /** postgres://… for Postgres; default: SQLite at $CUSTODY_DATA_DIR/custody.db. */
  DATABASE_URL: z.string().min(1).optional(),
  /** The log name: checkpoint origins are <name>/<organization id>, and the signing key's name. */
  CUSTODY_LOG_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/, 'a scheme-less host name such as audit.example.com, without spaces or "+"')
    .default('custody.localhost'),
  /** Signing key file. Default $CUSTODY_DATA_DIR/signing.key (created at first start, mode 0600). */
  CUSTODY_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** The signing key itself (PRIVATE+KEY+…), instead of a file: for several processes on one Postgres. */
  CUSTODY_SIGNING_KEY: z.string().min(1).optional(),
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Requests per second per API key (token bucket, burst twice that); 0 disables. Default 2000. */
  CUSTODY_RATE_LIMIT: ZInt(0).default(2000),
  /** Largest request body, in bytes (413 beyond). Default 8 MiB: 1,000 events of 8 KB; larger events need smaller batches. */
  CUSTODY_BODY_LIMIT: ZPositiveInt.default(8 * 1024 * 1024),
  /** Minimum interval between two checkpoints of one log while events arrive, in ms. Default 1000. */
  CUSTODY_CHECKPOINT_INTERVAL_MS: ZInt(50).default(1000),
  /** SQLite durability: FULL survives power loss, NORMAL only a killed process. Default FULL. */
  CUSTODY_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** Postgres connections per process. Default 10. */
  CUSTODY_PG_POOL_SIZE: ZInt(1, 1000).default(10),
  /**
   * Threads that run event queries (list, get, stats) on SQLite files, each with its own connection, so a
   * long query never holds ingest or other requests; 0 runs them on the main thread. Default 2.
   */
  CUSTODY_QUERY_THREADS: ZInt(0, 64).default(2),
  /**
   * Most memory, in MiB, of the query threads' shared statistics copy, bitmaps and summaries (SQLite files): past
   * it the copy is given up and statistics are answered in SQL. Default: a quarter of the machine's memory (or
   * of the container's limit).
   */
  CUSTODY_STATS_MEMORY_MB: ZInt(0, 2 ** 30).optional(),
  /** A query's time limit in ms (504 TIMEOUT beyond): SQLite files, the whole call, waiting included; Postgres, each statement. 0 for none. Default 30000. */
  CUSTODY_QUERY_TIMEOUT_MS: ZInt(0).default(30_000),
  /**
   * How long an ingest request may wait for its commit, in ms, before it is answered 503 UNAVAILABLE: with
   * `details.stored: false` (still queued: nothing stored) or `'unknown'` (its transaction under way: retry with the
   * same idempotency keys). 0 waits as long as the database takes. Default 10000 (the SDK's own request time limit).
   */
  CUSTODY_INGEST_TIMEOUT_MS: ZInt(0).default(10_000),
  /**
   * How long a request waits for the database to answer where no limit of its own applies, in ms, before it is
   * answered 503 UNAVAILABLE: an API key's lookup, and a read's whole answer beyond CUSTODY_QUERY_TIMEOUT_MS. 0 waits
   * as long as it takes. Default 10000.
   */
  CUSTODY_DATABASE_TIMEOUT_MS: ZInt(0).default(10_000),
  /**
   * Where export files are written and served from. Default $CUSTODY_DATA_DIR/exports. Server processes on several
   * hosts need one directory they all mount: a file is served by whichever process a download reaches.
   */
  CUSTODY_EXPORT_DIR: z.string().min(1).optional(),
  /** How long finished export files are kept, in whole hours (the job records stay). Default 168 (7 days). */
  CUSTODY_EXPORT_RETENTION_HOURS: ZInt(1, 24 * 3650).default(168),
  /**
   * Time allowed for graceful shutdown before the process exits anyway, in ms. Default 15000. In-flight requests get
   * the first half of it; connections still open then are closed, and the rest is for committing and signing.
   */
  CUSTODY_SHUTDOWN_TIMEOUT_MS: ZPositiveInt.default(15_000),
});

export type TEnv = z.infer<typeof ZEnvSchema>;

/** Resolved configuration: paths made absolute, defaults derived. */
export interface TConfig extends TEnv {
  /** `CUSTODY_STATS_MEMORY_MB` in bytes, or its default. */
  statsMemoryBytes: number;
  databaseUrl: string;
  signingKeyFile: string;
  exportDir: string;
}

/** Thrown for invalid configuration; `main` prints `message` and exits with status 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A quarter of the memory this process may use: the machine's, or its container's (cgroup) limit if lower. */
export function defaultStatsMemoryBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const memory = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return Math.floor(memory / 4 / 2 ** 20) * 2 ** 20;
}

/** Parses and validates an environment (default: `process.env`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(ZEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = ZEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `  ${name}=${JSON.stringify(cleaned[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL !== undefined) {
    try {
      parseDatabaseUrl(e.DATABASE_URL);
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const dataDir = resolve(e.CUSTODY_DATA_DIR);
  return {
    ...e,
    CUSTODY_DATA_DIR: dataDir,
    statsMemoryBytes: e.CUSTODY_STATS_MEMORY_MB === undefined ? defaultStatsMemoryBytes() : e.CUSTODY_STATS_MEMORY_MB * 2 ** 20,
    databaseUrl: e.DATABASE_URL ?? resolve(dataDir, 'custody.db'),
    signingKeyFile: resolve(e.CUSTODY_SIGNING_KEY_FILE ?? resolve(dataDir, 'signing.key')),
    exportDir: resolve(e.CUSTODY_EXPORT_DIR ?? resolve(dataDir, 'exports')),
  };
}
