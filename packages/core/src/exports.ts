/**
 * Export jobs: evidence bundles (custody.evidence/v1, see docs/bundle-format.md) and productions
 * (CSV, NDJSON, Concordance DAT).
 *
 * A job streams from the database in bounded memory (pages of rows in `seq` order, side files
 * spooled to disk), reports progress in its row, keeps the file for a configurable time, and is itself
 * logged as an audit event (`custody.export.completed`) in the organization's log with the file's
 * SHA-256. Every export is pinned to one signed checkpoint: nothing committed after it is included.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import {
  ControlNumberSequence, createBundleWriter, createEventCsvWriter, createEventDatWriter, describeEventFilter, formatCheckpointId,
  isProductionError, renderBundleReadme, renderProductionReport, requiredControlWidth, resolveDatDelimiters,
} from '@custody/bundle';
import type { BundleMode, CheckpointInput, Spool, SpoolFactory, TProductionReportData } from '@custody/bundle';
import type { Database, TExportRow } from '@custody/db';
import { encodeBase64, planMultiLeaf, planRange, proveConsistencyAsync, resolvePlanAsync } from '@custody/ledger';
import { canonicalize } from '@custody/schema';
import type { TLoggedEvent } from '@custody/schema';

import { createFileSink, nodeBundleCrypto, nodeCrc32, nodeDeflateRaw } from './bundle-node';
import { DbHashReader } from './db-hash-reader';
import { AppError } from './errors';
import type { Ingestor } from './ingest';
import type { LogService, TCheckpoint } from './log-service';
import { makeDirectory } from './make-directory';
import { nodeHasher, nodeSha256 } from './node-crypto';
import type { Organizations } from './organizations';
import { checkFilter } from './query';
import type { EventQueries, TEventFilter } from './query';
import type { SigningKeys, TSigningKey } from './signing-keys';
import { writeWhereFree } from './log-writer-thread';
import type { TWriteElsewhere } from './log-writer-thread';

export const EXPORT_FORMATS = ['bundle', 'csv', 'ndjson', 'dat'] as const;
export type TExportFormat = (typeof EXPORT_FORMATS)[number];

/** What to export, and the legal facts that travel with it. */
export interface TExportRequest {
  format: TExportFormat;
  /** Bundles only. `complete-range` (default): every leaf of the range, non-matching ones as hashes. */
  mode?: BundleMode;
  filter: TEventFilter;
  matter: { name: string; number: string };
  custodian: string;
  reason: string;
  /** Control-number prefix (Bates style). Default: the matter number's letters and digits, upper case. */
  controlPrefix?: string;
  /** First control number. Default is 1. */
  firstControlNumber?: number;
  /** Concordance DAT options (format `dat`, and `data/loadfile.dat` in bundles when `includeDat`). */
  dat?: { field?: string; quote?: string; newline?: string; encoding?: 'utf-8' | 'cp1252' };
  /** Bundles: also write `data/loadfile.dat` (the `dat` format produces one on its own). Default is `false`. */
  includeDat?: boolean;
  /** Bundles: include the checkpoint chain from this checkpointed size up to the proving checkpoint. */
  sinceCheckpointSize?: number;
  /** Custody entries of the bundle this export re-exports (chain of custody). */
  previousCustody?: Record<string, unknown>[];
}

/** Who asked, for the custody record and the audit event. */
export interface TExportRequester {
  type: 'api_key' | 'cli' | 'user';
  id: string;
  name: string;
  /** The requester's IP, for the audit event. Default 127.0.0.1. */
  ip?: string;
}

export interface TExportInfo {
  id: string;
  organizationId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'expired';
  format: TExportFormat;
  mode: BundleMode | null;
  createdAt: string;
  createdBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  progress: { done: number; total: number | null };
  fileName: string | null;
  fileSize: number | null;
  sha256: string | null;
  checkpointSize: number | null;
  counts: { shown: number; withheld: number; purged: number } | null;
  controlNumbers: { first: string; last: string } | null;
  error: string | null;
  auditEvent: { id: string; seq: number } | null;
  matter: { name: string; number: string };
}

export interface TExportServiceOptions {
  /** Where export files are written. */
  directory: string;
  /** How long finished files are kept. Default is 7 days. */
  retentionMs?: number;
  /** Version string recorded in custody records. */
  toolVersion?: string;
  /** How often a process says it still runs its jobs (`heartbeat_at`), in ms. Default 10 s. */
  heartbeatMs?: number;
  /** How long without a heartbeat before a queued or running job counts as stopped and is failed, in ms. Default 60 s. */
  staleMs?: number;
}

const CONTENT_TYPES: Record<TExportFormat, string> = {
  bundle: 'application/zip',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  dat: 'application/octet-stream',
};
const EXTENSIONS: Record<TExportFormat, string> = { bundle: 'zip', csv: 'csv', ndjson: 'ndjson', dat: 'dat' };
const PAGE = 2_000;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function toInfo(row: TExportRow): TExportInfo {
  const request = JSON.parse(row.request) as TExportRequest;
  return {
    id: row.id,
    organizationId: row.organization_id,
    status: row.status as TExportInfo['status'],
    format: row.format as TExportFormat,
    mode: row.mode as BundleMode | null,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    expiresAt: iso(row.expires_at),
    progress: { done: row.progress_done, total: row.progress_total },
    fileName: row.file_name,
    fileSize: row.file_size,
    sha256: row.sha256,
    checkpointSize: row.checkpoint_size,
    counts: row.events_shown === null ? null : { shown: row.events_shown, withheld: row.events_withheld ?? 0, purged: row.events_purged ?? 0 },
    controlNumbers: row.control_first === null || row.control_last === null ? null : { first: row.control_first, last: row.control_last },
    error: row.error,
    auditEvent: row.audit_event_id === null || row.audit_seq === null ? null : { id: row.audit_event_id, seq: row.audit_seq },
    matter: request.matter,
  };
}

/** A spool in a temporary file: side files of a 1M-event bundle stay on disk, not in memory. */
function fileSpoolFactory(directory: string): SpoolFactory & { disposeAll(): Promise<void> } {
  const paths: string[] = [];
  const factory = ((name: string): Spool => {
    const path = join(directory, `.spool-${randomUUID()}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
    paths.push(path);
    const sink = createFileSink(path);
    let closed = false;
    return {
      write: (chunk) => sink.write(chunk),
      async *read() {
        if (!closed) {
          await sink.close();
          closed = true;
        }
        const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
        for await (const chunk of stream) yield chunk as Buffer;
      },
      async dispose() {
        if (!closed) {
          await sink.close().catch(() => undefined);
          closed = true;
        }
        await rm(path, { force: true });
      },
    };
  }) as SpoolFactory & { disposeAll(): Promise<void> };
  factory.disposeAll = async () => {
    for (const p of paths) await rm(p, { force: true });
  };
  return factory;
}

function defaultPrefix(matterNumber: string): string {
  const letters = matterNumber.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12);
  return /^[A-Z]/.test(letters) ? letters : `EXP${letters}`.slice(0, 12);
}

const LEAF_PREFIX = new Uint8Array([0]);
const NEWLINE = new Uint8Array([0x0a]);

/**
 * The canonical bytes of a stored event read as text (`CustodyDialect.utf8Text`). Canonical bodies are
 * valid UTF-8, so the text gives back the stored bytes; a body that was not (the driver then puts U+FFFD
 * in the text) is caught by its leaf hash instead of becoming a line that does not verify.
 */
function storedBytes(seq: number, text: string, leafHash: Uint8Array): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (text.includes('\uFFFD') && !Buffer.from(nodeSha256(LEAF_PREFIX, bytes)).equals(leafHash)) {
    throw new AppError('INTERNAL', `the stored body of event ${seq} does not match its leaf hash (it is not the logged bytes)`);
  }
  return bytes;
}

export interface TExportDeps {
  db: Kysely<Database>;
  organizations: Organizations;
  events: EventQueries;
  /**
   * Opens the queries an export job reads its events through, on a connection of its own
   * (`CustodyDatabase.scanReaderOptions`), closed when the job ends; `null` to read through `events`.
   */
  openScan: (() => Promise<{ events: EventQueries; close(): Promise<void> }>) | null;
  log: LogService;
  ingestor: Ingestor;
  signingKey: TSigningKey;
  signingKeys: SigningKeys;
  /** Makes a job's progress writes on another connection (`ApiKeys`' option of the same name). */
  writeElsewhere?: TWriteElsewhere;
}

export class ExportService {
  readonly #deps: TExportDeps;
  readonly #directory: string;
  readonly #retentionMs: number;
  readonly #toolVersion: string;
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  /** This process, as recorded in the jobs it runs (`runner`): host, process id, and a random part. */
  readonly runner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<string, Promise<void>>();
  #timers: NodeJS.Timeout[] = [];
  #closed = false;

  constructor(deps: TExportDeps, options: TExportServiceOptions) {
    this.#deps = deps;
    this.#directory = options.directory;
    this.#retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.#toolVersion = options.toolVersion ?? 'custody 0.1.0';
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#staleMs = options.staleMs ?? 60_000;
  }

  /**
   * Fails the jobs whose process stopped (no heartbeat for `staleMs`: a previous run of this server, or another
   * process), then keeps this process's jobs' heartbeats, that check, and the expiry sweep going. Jobs that other live
   * processes run (other servers on the same database, `custody export`) are left to them.
   */
  async start(): Promise<void> {
    await makeDirectory(this.#directory, 0o700);
    await this.failStopped();
    const every = (ms: number, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void work().catch(() => undefined), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#heartbeatMs, async () => {
      await this.#beat();
      await this.failStopped();
    });
    every(60_000, () => this.sweep());
  }

  /** Waits for running jobs, then stops the timers. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * Marks failed every queued or running job whose process stopped, naming it: one that has not said it runs the job
   * for `staleMs` (a job from before migration 0010 has never said so), or, at once, one on this host that is no
   * longer running (no process of its id, or an earlier run of this process's id: a container restarted). Returns how
   * many. A heartbeat arriving meanwhile wins: each job is failed only if its heartbeat is still the one read.
   */
  async failStopped(now = Date.now()): Promise<number> {
    const unfinished = await this.#deps.db.selectFrom('exports').select(['id', 'runner', 'heartbeat_at']).where('status', 'in', ['queued', 'running']).execute();
    let failed = 0;
    for (const job of unfinished) {
      if (this.#running.has(job.id) || job.runner === this.runner) continue; // this process runs it: its heartbeat is only late
      const stale = job.heartbeat_at === null || job.heartbeat_at < now - this.#staleMs;
      if (!stale && !this.#goneFromThisHost(job.runner)) continue;
      const who = job.runner === null ? 'the server process running it' : `the process running it (${job.runner})`;
      const why = stale ? `no heartbeat${job.heartbeat_at === null ? '' : ` since ${new Date(job.heartbeat_at).toISOString()}`}` : 'it is no longer running on this host';
      const result = await this.#deps.db
        .updateTable('exports')
        .set({ status: 'failed', finished_at: now, error: `interrupted: ${who} stopped before the export finished (${why}); start it again` })
        .where('id', '=', job.id)
        .where('status', 'in', ['queued', 'running'])
        .where((eb) => (job.heartbeat_at === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', job.heartbeat_at)))
        .executeTakeFirst();
      failed += Number(result.numUpdatedRows);
    }
    return failed;
  }

  /** Whether `runner` names a process of this host that is not running: no process has its id, or this one has (an earlier run). */
  #goneFromThisHost(runner: string | null): boolean {
    const [host, pidText] = runner?.split(':') ?? [];
    if (host !== hostname() || pidText === undefined || !/^[1-9][0-9]*$/.test(pidText)) return false;
    const pid = Number(pidText);
    if (pid === process.pid) return true; // and not this.runner (checked by the caller)
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: it exists, as another user
    }
  }

  /** Says this process still runs its jobs. */
  async #beat(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    await writeWhereFree(this.#deps.db.updateTable('exports').set({ heartbeat_at: Date.now() }).where('id', 'in', ids).where('runner', '=', this.runner), this.#deps.writeElsewhere);
  }

  /** Deletes files past their expiry; the rows stay as records. */
  async sweep(now = Date.now()): Promise<number> {
    const rows = await this.#deps.db.selectFrom('exports').select(['id', 'file_name']).where('status', '=', 'completed').where('expires_at', '<=', now).execute();
    for (const row of rows) {
      if (row.file_name !== null) await rm(join(this.#directory, row.file_name), { force: true });
      await this.#deps.db.updateTable('exports').set({ status: 'expired' }).where('id', '=', row.id).execute();
    }
    return rows.length;
  }

  /** Validates the request (its filter as `events.list` does), records the job and starts it. Returns at once; poll `get`. */
  async create(organizationId: string, request: TExportRequest, requester: TExportRequester): Promise<TExportInfo> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'the server is shutting down');
    await this.#deps.organizations.get(organizationId);
    const normalized = this.#validate(request);
    const since = normalized.sinceCheckpointSize;
    if (since !== undefined && normalized.format === 'bundle') {
      const [found] = await this.#deps.log.listCheckpoints(organizationId, { fromSize: since, toSize: since, limit: 1 });
      if (found?.size !== since) {
        throw new AppError('BAD_REQUEST', `sinceCheckpointSize: this log has no signed checkpoint of size ${since}; give the size of a checkpoint the recipient holds from this log`);
      }
    }
    const id = `exp_${randomUUID().replaceAll('-', '')}`;
    const now = Date.now();
    await this.#deps.db
      .insertInto('exports')
      .values({
        id,
        organization_id: organizationId,
        status: 'queued',
        format: normalized.format,
        mode: normalized.format === 'bundle' ? (normalized.mode ?? 'complete-range') : null,
        request: canonicalize(normalized),
        created_at: now,
        created_by: `${requester.type}:${requester.id}`,
        started_at: null,
        finished_at: null,
        expires_at: null,
        progress_done: 0,
        progress_total: null,
        file_name: null,
        file_size: null,
        sha256: null,
        checkpoint_size: null,
        events_shown: null,
        events_withheld: null,
        events_purged: null,
        control_first: null,
        control_last: null,
        error: null,
        audit_event_id: null,
        audit_seq: null,
        runner: this.runner,
        heartbeat_at: now,
      })
      .execute();
    const job = this.#run(id, organizationId, normalized, requester).finally(() => this.#running.delete(id));
    this.#running.set(id, job);
    return this.get(organizationId, id);
  }

  /** Runs an export to completion (the CLI's path). */
  async runToCompletion(organizationId: string, request: TExportRequest, requester: TExportRequester): Promise<TExportInfo> {
    const info = await this.create(organizationId, request, requester);
    await this.#running.get(info.id);
    return this.get(organizationId, info.id);
  }

  /** One job; NOT_FOUND when there is none of that id, or the organization does not exist. */
  async get(organizationId: string, id: string): Promise<TExportInfo> {
    return toInfo(await this.#row(organizationId, id));
  }

  /** The organization's jobs, newest first; NOT_FOUND when the organization does not exist (not an empty list). */
  async list(organizationId: string, limit = 50): Promise<TExportInfo[]> {
    await this.#deps.organizations.get(organizationId);
    const rows = await this.#deps.db
      .selectFrom('exports')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at', 'desc')
      .limit(Math.min(Math.max(limit, 1), 500))
      .execute();
    return rows.map(toInfo);
  }

  /** The finished file, for download. NOT_FOUND until completed; GONE once expired. */
  async file(organizationId: string, id: string): Promise<{ path: string; fileName: string; size: number; contentType: string; sha256: string }> {
    const row = await this.#row(organizationId, id);
    const info = toInfo(row);
    if (info.status === 'expired') throw new AppError('GONE', `export "${id}" expired at ${info.expiresAt ?? '?'}; its record remains`);
    if (info.status !== 'completed' || info.fileName === null || info.sha256 === null) {
      throw new AppError('NOT_FOUND', `export "${id}" is ${info.status}${info.error === null ? '' : `: ${info.error}`}`);
    }
    const path = join(this.#directory, info.fileName);
    const { size } = await stat(path).catch((cause: unknown) => {
      // Written by a process on another host, whose export directory this one does not share?
      const { runner } = row;
      const host = runner?.slice(0, runner.indexOf(':'));
      if (runner !== null && host !== undefined && host !== hostname()) {
        throw new AppError(
          'NOT_FOUND',
          `the file of export "${id}" was written on ${host} (process ${runner}) and is not in the export directory of this process, on ${hostname()}: give every server process one export directory on storage they all mount (CUSTODY_EXPORT_DIR), or download it from that host`,
          { cause },
        );
      }
      throw new AppError('GONE', `the file of export "${id}" is no longer on this server`, { cause });
    });
    return { path, fileName: info.fileName, size, contentType: CONTENT_TYPES[info.format], sha256: info.sha256 };
  }

  /** The production report (HTML, printable to PDF) of a finished bundle export. */
  async report(organizationId: string, id: string): Promise<string> {
    const row = await this.#row(organizationId, id);
    const info = toInfo(row);
    if (info.format !== 'bundle' || info.status === 'queued' || info.status === 'running' || info.status === 'failed') {
      throw new AppError('NOT_FOUND', `export "${id}" has no production report (${info.format}, ${info.status})`);
    }
    const request = JSON.parse(row.request) as TExportRequest;
    const org = await this.#deps.organizations.get(organizationId);
    const checkpoint = await this.#deps.log.checkpointAt(organizationId, info.checkpointSize ?? 0);
    const keys = await this.#deps.signingKeys.list();
    const counts = info.counts ?? { shown: 0, withheld: 0, purged: 0 };
    const data: TProductionReportData = {
      matter: request.matter,
      producingParty: `${org.name} (${org.id})`,
      custodian: request.custodian,
      productionDate: info.finishedAt ?? info.createdAt,
      exporter: { name: info.createdBy ?? 'unknown', reason: request.reason },
      selection: { mode: info.mode ?? 'complete-range', range: null, filterDescription: describeEventFilter(request.filter), filterExpression: canonicalize(request.filter) },
      counts: { ...counts, total: counts.shown + counts.withheld + counts.purged },
      ...(info.controlNumbers === null ? {} : { controlNumbers: this.#controlRange(info) }),
      bundle: { fileName: info.fileName ?? '', sha256: info.sha256 ?? '', size: info.fileSize ?? 0 },
      checkpoint: { origin: org.origin, size: checkpoint.size, root: checkpoint.root, note: checkpoint.note },
      keys: keys.map((k) => ({ vkey: k.vkey, role: k.retiredAt === null ? 'active signing key' : `retired ${k.retiredAt}` })),
      custodyEntries: [
        ...(request.previousCustody ?? []).map((entry) => ({ at: typeof entry.exported_at === 'string' ? entry.exported_at : typeof entry.at === 'string' ? entry.at : '', action: 'exported (earlier)', notes: canonicalize(entry) })),
        { at: info.finishedAt ?? info.createdAt, action: 'exported', by: info.createdBy ?? undefined, purpose: request.reason, sha256: info.sha256 ?? undefined },
      ],
      generatedAt: new Date().toISOString(),
      generator: this.#toolVersion,
    };
    return renderProductionReport(data);
  }

  /** The row of job `id`; NOT_FOUND naming the organization when it does not exist, else the job. */
  async #row(organizationId: string, id: string): Promise<TExportRow> {
    const row = await this.#deps.db.selectFrom('exports').selectAll().where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
    if (row !== undefined) return row;
    await this.#deps.organizations.get(organizationId);
    throw new AppError('NOT_FOUND', `export "${id}" not found`);
  }

  #controlRange(info: TExportInfo): { prefix: string; first: number; last: number; width: number } {
    const first = info.controlNumbers?.first ?? '';
    const last = info.controlNumbers?.last ?? '';
    const m = /^(.*?)(\d+)$/.exec(first);
    const n = /(\d+)$/.exec(last);
    return { prefix: m?.[1] ?? '', first: Number(m?.[2] ?? 0), last: Number(n?.[1] ?? 0), width: m?.[2]?.length ?? 6 };
  }

  #validate(request: TExportRequest): TExportRequest {
    if (!(EXPORT_FORMATS as readonly string[]).includes(request.format)) {
      throw new AppError('BAD_REQUEST', `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    }
    if (request.mode !== undefined && request.mode !== 'complete-range' && request.mode !== 'selected') {
      throw new AppError('BAD_REQUEST', 'mode must be complete-range or selected');
    }
    const text = (value: unknown, what: string, max: number): string => {
      if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) throw new AppError('BAD_REQUEST', `${what} is required (1 to ${max} characters)`);
      return value.trim();
    };
    const prefix = request.controlPrefix ?? defaultPrefix(text(request.matter.number, 'matter.number', 100));
    if (!/^[A-Z0-9][A-Z0-9_-]{0,19}$/.test(prefix)) {
      throw new AppError('BAD_REQUEST', `controlPrefix "${prefix}" must be 1 to 20 upper-case letters, digits, "_" or "-"`);
    }
    const first = request.firstControlNumber ?? 1;
    if (!Number.isSafeInteger(first) || first < 0) throw new AppError('BAD_REQUEST', 'firstControlNumber must be a non-negative integer');
    // The checks `events.list` makes of a filter, now: a filter it refuses is refused here, not queued as a job that fails.
    checkFilter(request.filter);
    // So are DAT delimiters the job's writer would refuse (one character each, not CR or LF, all different, in windows-1252
    // when that is the encoding).
    if (request.format === 'dat' || request.includeDat === true) {
      const { field, quote, newline } = request.dat ?? {};
      try {
        resolveDatDelimiters({ ...(field === undefined ? {} : { field }), ...(quote === undefined ? {} : { quote }), ...(newline === undefined ? {} : { newline }) }, request.dat?.encoding ?? 'utf-8');
      } catch (error) {
        if (!isProductionError(error)) throw error;
        const option = typeof error.details?.option === 'string' ? error.details.option : null;
        throw new AppError('BAD_REQUEST', `${option === null ? 'dat' : `dat.${option}`}: ${error.message}`);
      }
    }
    return {
      ...request,
      matter: { name: text(request.matter.name, 'matter.name', 200), number: text(request.matter.number, 'matter.number', 100) },
      custodian: text(request.custodian, 'custodian', 200),
      reason: text(request.reason, 'reason', 500),
      controlPrefix: prefix,
      firstControlNumber: first,
    };
  }

  async #update(id: string, values: Partial<Omit<TExportRow, 'id' | 'organization_id' | 'format' | 'mode' | 'request' | 'created_at' | 'created_by'>>): Promise<void> {
    await this.#deps.db.updateTable('exports').set(values).where('id', '=', id).execute();
  }

  async #run(id: string, organizationId: string, request: TExportRequest, requester: TExportRequester): Promise<void> {
    // Let create() return before the work starts.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const fileName = `${id}.${EXTENSIONS[request.format]}`;
    const path = join(this.#directory, fileName);
    const spool = fileSpoolFactory(this.#directory);
    let scan: { events: EventQueries; close(): Promise<void> } | null = null;
    try {
      await this.#update(id, { status: 'running', started_at: Date.now(), heartbeat_at: Date.now() });
      const checkpoint = await this.#deps.log.latestCheckpoint(organizationId, { fresh: true });
      scan = this.#deps.openScan === null ? null : await this.#deps.openScan();
      const events = scan?.events ?? this.#deps.events;
      const result =
        request.format === 'bundle'
          ? await this.#writeBundle(id, organizationId, request, requester, checkpoint, path, spool, events)
          : await this.#writeProduction(id, organizationId, request, checkpoint, path, events);
      await scan?.close();
      scan = null;
      const sha256 = await sha256File(path);
      const { size } = await stat(path);
      // Another process may have failed the job meanwhile (no heartbeat: this process stalled past `staleMs`); then it
      // stays failed, and no completion is logged for it.
      const { status } = await this.#row(organizationId, id);
      if (status !== 'running') throw new AppError('CONFLICT', 'another process marked this export failed while it ran (no heartbeat); start it again');
      const audit = await this.#logExport(organizationId, id, fileName, request, requester, sha256, checkpoint.size, result.counts);
      const finished = Date.now();
      await this.#update(id, {
        status: 'completed',
        finished_at: finished,
        expires_at: finished + this.#retentionMs,
        file_name: fileName,
        file_size: size,
        sha256,
        checkpoint_size: checkpoint.size,
        events_shown: result.counts.shown,
        events_withheld: result.counts.withheld,
        events_purged: result.counts.purged,
        control_first: result.control?.first ?? null,
        control_last: result.control?.last ?? null,
        audit_event_id: audit.id,
        audit_seq: audit.seq,
      });
    } catch (error) {
      await rm(path, { force: true });
      const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
      // Unless another process failed it already (its message says why).
      await this.#deps.db
        .updateTable('exports')
        .set({ status: 'failed', finished_at: Date.now(), error: message.slice(0, 1000) })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'running'])
        .execute()
        .catch(() => undefined);
    } finally {
      await scan?.close().catch(() => undefined);
      await spool.disposeAll();
    }
  }

  async #logExport(
    organizationId: string,
    exportId: string,
    fileName: string,
    request: TExportRequest,
    requester: TExportRequester,
    sha256: string,
    checkpointSize: number,
    counts: { shown: number; withheld: number; purged: number },
  ): Promise<{ id: string; seq: number }> {
    const [result] = await this.#deps.ingestor.ingest(
      organizationId,
      [
        {
          action: 'custody.export.completed',
          occurred_at: new Date().toISOString(),
          actor: { id: requester.id, type: requester.type, name: requester.name },
          targets: [{ id: exportId, type: 'export', name: fileName }],
          context: { location: requester.ip ?? '127.0.0.1' },
          metadata: {
            format: request.format,
            mode: request.format === 'bundle' ? (request.mode ?? 'complete-range') : 'n/a',
            sha256,
            checkpoint_size: checkpointSize,
            events_shown: counts.shown,
            events_withheld: counts.withheld,
            events_purged: counts.purged,
            matter_number: request.matter.number.slice(0, 500),
            reason: request.reason.slice(0, 500),
          },
        },
      ],
      { system: true },
    );
    if (result?.status !== 'accepted') throw new AppError('INTERNAL', `could not log the export: ${result?.status === 'rejected' ? result.message : 'no result'}`);
    return { id: result.id, seq: result.seq };
  }

  async #progress(id: string, done: number, last: { at: number }): Promise<void> {
    const now = Date.now();
    if (now - last.at < 500) return;
    last.at = now;
    // Twice a second while a job runs: elsewhere where it can be, so it never waits for the write lock here.
    await writeWhereFree(this.#deps.db.updateTable('exports').set({ progress_done: done }).where('id', '=', id), this.#deps.writeElsewhere);
  }

  async #writeBundle(
    id: string,
    organizationId: string,
    request: TExportRequest,
    requester: TExportRequester,
    checkpoint: TCheckpoint,
    path: string,
    spool: SpoolFactory,
    events: EventQueries,
  ): Promise<{ counts: { shown: number; withheld: number; purged: number }; control: { first: string; last: string } | null }> {
    const { db } = this.#deps;
    const mode: BundleMode = request.mode ?? 'complete-range';
    const size = checkpoint.size;
    const org = await this.#deps.organizations.get(organizationId);
    const bounds = await events.seqBounds(organizationId, request.filter, size);
    if (bounds.count === 0 || bounds.min === null || bounds.max === null) {
      throw new AppError('BAD_REQUEST', `the filter matches no event in the log of "${organizationId}" up to checkpoint size ${size}`);
    }
    const from = mode === 'complete-range' ? Math.max(0, request.filter.seqFrom ?? bounds.min) : bounds.min;
    const to = mode === 'complete-range' ? Math.min(size, request.filter.seqTo ?? bounds.max + 1) : bounds.max + 1;
    await this.#update(id, { progress_total: mode === 'complete-range' ? to - from : bounds.count, checkpoint_size: size });

    const first = request.firstControlNumber ?? 1;
    const width = requiredControlWidth(first, bounds.count);
    const controls = new ControlNumberSequence({ prefix: request.controlPrefix ?? 'EXP', first, width, count: bounds.count });
    const sink = createFileSink(path);
    const bagName = `custody-${organizationId}-${(request.controlPrefix ?? 'export').toLowerCase()}-${id.slice(4, 12)}`.replace(/[^A-Za-z0-9._-]/g, '-');
    const writer = createBundleWriter({
      sink,
      bagName,
      origin: org.origin,
      mode,
      treeSize: BigInt(size),
      ...(mode === 'complete-range' ? { range: { from: BigInt(from), to: BigInt(to) } } : {}),
      controlNumbers: { prefix: request.controlPrefix ?? 'EXP', first, width },
      exportedAt: new Date(),
      crypto: nodeBundleCrypto,
      // Level 1: about three times faster than the default for a slightly larger file; the bundle's
      // size matters less than exporting a million events in seconds.
      compression: { deflateRaw: nodeDeflateRaw(1) },
      ...(nodeCrc32 === undefined ? {} : { crc32: nodeCrc32 }),
      spool,
    });
    const csvFile = writer.openFile('data/events.csv');
    const csv = createEventCsvWriter();
    await csvFile.write(csv.header());
    const includeDat = request.includeDat ?? false;
    const datFile = includeDat ? writer.openFile('data/loadfile.dat') : null;
    const dat = includeDat
      ? createEventDatWriter({
          custodian: request.custodian,
          source: org.origin,
          checkpointId: formatCheckpointId(org.origin, size),
          delimiters: { ...(request.dat?.field === undefined ? {} : { field: request.dat.field }), ...(request.dat?.quote === undefined ? {} : { quote: request.dat.quote }), ...(request.dat?.newline === undefined ? {} : { newline: request.dat.newline }) },
          encoding: request.dat?.encoding ?? 'utf-8',
          sha256: nodeSha256,
        })
      : null;
    if (dat !== null && datFile !== null) await datFile.write(dat.encode(dat.header()));

    const counts = { shown: 0, withheld: 0, purged: 0 };
    const indexes: bigint[] = [];
    const last = { at: 0 };
    let done = 0;
    const emitEvent = async (seq: number, text: string, leafHash: Uint8Array) => {
      const body = storedBytes(seq, text, leafHash);
      // Validated at ingest: JSON.parse is enough (the verifier re-checks every line).
      const event = JSON.parse(text) as TLoggedEvent;
      const controlNumber = await writer.addEvent(BigInt(seq), body, leafHash);
      // The row writers encode the hash themselves (a base64 string would be re-validated per row).
      await csvFile.write(csv.row(event, { controlNumber, leafHash }));
      if (dat !== null && datFile !== null) await datFile.write(dat.encode(dat.row(event, { controlNumber, leafHash, bytes: body })));
      controls.next();
      counts.shown += 1;
    };

    if (mode === 'complete-range') {
      for (let start = from; start < to; start += PAGE) {
        const end = Math.min(to, start + PAGE);
        // Every leaf of [start, end), or INTERNAL if the log lacks one.
        const leaves = await events.leafPage(organizationId, request.filter, start, end);
        for (const leaf of leaves) {
          if (leaf.text !== null) await emitEvent(leaf.seq, leaf.text, leaf.leafHash);
          else if (leaf.present) {
            await writer.addWithheld(BigInt(leaf.seq), leaf.leafHash);
            counts.withheld += 1;
          } else {
            await writer.addPurged(BigInt(leaf.seq), leaf.leafHash, { reason: 'the event body was removed by retention; its leaf hash remains in the log' });
            counts.purged += 1;
          }
        }
        done += leaves.length;
        await this.#progress(id, done, last);
      }
    } else {
      for await (const page of events.scanBySeq(organizationId, request.filter, from, to, PAGE)) {
        const hashes = await db
          .selectFrom('leaves')
          .select(['seq', 'leaf_hash'])
          .where('organization_id', '=', organizationId)
          .where('seq', 'in', page.map((r) => r.seq))
          .execute();
        const byseq = new Map(hashes.map((h) => [h.seq, h.leaf_hash]));
        for (const r of page) {
          const leafHash = byseq.get(r.seq);
          if (leafHash === undefined) throw new AppError('INTERNAL', `leaf ${r.seq} of "${organizationId}" is missing`);
          await emitEvent(r.seq, r.text, leafHash);
          indexes.push(BigInt(r.seq));
        }
        done += page.length;
        await this.#progress(id, done, last);
      }
    }
    await csvFile.close();
    if (datFile !== null) await datFile.close();

    const reader = new DbHashReader(db, organizationId);
    const proofHashes =
      mode === 'complete-range'
        ? await resolvePlanAsync(reader, planRange(BigInt(from), BigInt(to), BigInt(size), { hasher: nodeHasher }))
        : await resolvePlanAsync(reader, planMultiLeaf(indexes, BigInt(size), { hasher: nodeHasher }));
    const chain = await this.#checkpointChain(organizationId, request.sinceCheckpointSize, checkpoint);
    const keys = (await this.#deps.signingKeys.list()).map((k) => k.vkey);
    const range = controls.range();
    const custodyRecord = {
      exportId: id,
      exportedBy: { type: requester.type, id: requester.id, name: requester.name },
      reason: request.reason,
      matter: request.matter,
      custodian: request.custodian,
      sourceOrganization: `${org.name} (${org.id})`,
      organizationId,
      filter: request.filter,
      toolVersion: this.#toolVersion,
      ...(request.previousCustody === undefined ? {} : { previous: request.previousCustody }),
    };
    writer.addFile(
      'data/README.txt',
      new TextEncoder().encode(
        renderBundleReadme({
          bagName,
          bundleFileName: `${id}.zip`,
          matter: request.matter,
          producingParty: `${org.name} (${org.id})`,
          custodian: request.custodian,
          productionDate: new Date().toISOString(),
          exporter: { name: requester.name, reason: request.reason },
          origin: org.origin,
          checkpointSize: size,
          selection: { mode, range: mode === 'complete-range' ? { from, to } : null, filterDescription: describeEventFilter(request.filter) },
          counts: { ...counts, total: counts.shown + counts.withheld + counts.purged },
          ...(range === undefined ? {} : { controlNumbers: range }),
          keys: keys.map((vkey) => ({ vkey })),
          generator: this.#toolVersion,
        }),
      ),
    );
    const result = await writer.finish({ checkpoints: chain, proofHashes, custody: custodyRecord, keys, signer: this.#deps.signingKey.skey });
    await sink.close();
    void result;
    return {
      counts,
      control: range === undefined ? null : { first: controls.at(0), last: controls.at(counts.shown - 1) },
    };
  }

  /** The proving checkpoint, preceded (if asked) by every checkpoint since `since`, with consistency proofs. */
  async #checkpointChain(organizationId: string, since: number | undefined, checkpoint: TCheckpoint): Promise<CheckpointInput[]> {
    if (since === undefined || since >= checkpoint.size) return [{ note: checkpoint.note }];
    const all: TCheckpoint[] = [];
    let from = since;
    for (;;) {
      const page = await this.#deps.log.listCheckpoints(organizationId, { fromSize: from, toSize: checkpoint.size, limit: 1000 });
      all.push(...page);
      const lastPage = page.at(-1);
      if (page.length < 1000 || lastPage === undefined) break;
      from = lastPage.size + 1;
    }
    if (all[0]?.size !== since) throw new AppError('NOT_FOUND', `no checkpoint of size ${since} for organization "${organizationId}"`);
    const reader = new DbHashReader(this.#deps.db, organizationId);
    const links: CheckpointInput[] = [];
    for (let i = 0; i < all.length; i++) {
      const cp = all[i];
      const prev = all[i - 1];
      if (cp === undefined) continue;
      if (prev === undefined || prev.size === 0 || prev.size === cp.size) links.push({ note: cp.note });
      else links.push({ note: cp.note, consistencyProof: await proveConsistencyAsync(reader, BigInt(prev.size), BigInt(cp.size), { hasher: nodeHasher }) });
    }
    return links;
  }

  /** CSV, NDJSON or DAT of the matching events, in seq order, up to the checkpoint. */
  async #writeProduction(
    id: string,
    organizationId: string,
    request: TExportRequest,
    checkpoint: TCheckpoint,
    path: string,
    events: EventQueries,
  ): Promise<{ counts: { shown: number; withheld: number; purged: number }; control: { first: string; last: string } | null }> {
    const { db } = this.#deps;
    const org = await this.#deps.organizations.get(organizationId);
    const bounds = await events.seqBounds(organizationId, request.filter, checkpoint.size);
    await this.#update(id, { progress_total: bounds.count, checkpoint_size: checkpoint.size });
    const first = request.firstControlNumber ?? 1;
    const controls = new ControlNumberSequence({ prefix: request.controlPrefix ?? 'EXP', first, width: requiredControlWidth(first, Math.max(bounds.count, 1)), count: Math.max(bounds.count, 1) });
    const sink = createFileSink(path);
    const encoder = new TextEncoder();
    const csv = request.format === 'csv' ? createEventCsvWriter() : null;
    const dat =
      request.format === 'dat'
        ? createEventDatWriter({
            custodian: request.custodian,
            source: org.origin,
            checkpointId: formatCheckpointId(org.origin, checkpoint.size),
            delimiters: { ...(request.dat?.field === undefined ? {} : { field: request.dat.field }), ...(request.dat?.quote === undefined ? {} : { quote: request.dat.quote }), ...(request.dat?.newline === undefined ? {} : { newline: request.dat.newline }) },
            encoding: request.dat?.encoding ?? 'utf-8',
          sha256: nodeSha256,
          })
        : null;
    if (csv !== null) await sink.write(encoder.encode(csv.header()));
    if (dat !== null) await sink.write(dat.encode(dat.header()));
    let shown = 0;
    const last = { at: 0 };
    if (bounds.min !== null && bounds.max !== null) {
      for await (const page of events.scanBySeq(organizationId, request.filter, bounds.min, bounds.max + 1, PAGE)) {
        const hashes = new Map(
          (await db.selectFrom('leaves').select(['seq', 'leaf_hash']).where('organization_id', '=', organizationId).where('seq', 'in', page.map((r) => r.seq)).execute()).map((h) => [h.seq, h.leaf_hash]),
        );
        const chunks: Uint8Array[] = [];
        for (const r of page) {
          const hash = hashes.get(r.seq);
          if (hash === undefined) throw new AppError('INTERNAL', `leaf ${r.seq} of "${organizationId}" is missing`);
          const bytes = storedBytes(r.seq, r.text, hash);
          const leafHash = encodeBase64(hash);
          const controlNumber = controls.next();
          if (csv !== null) chunks.push(encoder.encode(csv.row(JSON.parse(r.text) as TLoggedEvent, { controlNumber, leafHash })));
          else if (dat !== null) chunks.push(dat.encode(dat.row(JSON.parse(r.text) as TLoggedEvent, { controlNumber, leafHash, bytes })));
          else chunks.push(bytes, NEWLINE);
          shown += 1;
        }
        for (const c of chunks) await sink.write(c);
        await this.#progress(id, shown, last);
      }
    }
    await sink.close();
    return { counts: { shown, withheld: 0, purged: 0 }, control: shown === 0 ? null : { first: controls.at(0), last: controls.at(shown - 1) } };
  }
}

/** Lowercase hex SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}
