import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatVerificationReport, verifyBundle } from '@custody/bundle';
import { DIALECTS } from '@custody/db/testing';

import { nodeBundleCrypto, nodeInflateRaw, openFileSource } from '../src/index';
import type { Custody, TExportInfo, TExportRequest } from '../src/index';
import { createTestCustody, event } from './helpers';

const REQUESTER = { type: 'api_key' as const, id: 'key_test', name: 'paralegal', ip: '192.0.2.10' };

function request(overrides: Partial<TExportRequest> = {}): TExportRequest {
  return {
    format: 'bundle',
    filter: { actorId: 'u_2' },
    matter: { name: 'Acme v. Example', number: 'MAT-2026-001' },
    custodian: 'Jane Custodian',
    reason: 'Response to request for production No. 12',
    ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: exports`, () => {
    let custody: Custody;
    let vkey: string;
    let destroy: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-exports-'));
      // SQLite in a file, as served: exports then read through a connection of their own.
      ({ custody, vkey, destroy } = await createTestCustody(dialect, { exportDir: dir, sqliteFile: join(dir, 'custody.db') }));
      await custody.createOrganization({ id: 'acme', name: 'Acme Inc.' });
      await custody.ingestor.ingest('acme', Array.from({ length: 120 }, (_, i) => event({ actor: { id: `u_${i % 5}`, type: 'user' }, metadata: { i } })));
    });
    afterAll(async () => {
      await destroy();
      await rm(dir, { recursive: true, force: true });
    });

    const verify = async (info: TExportInfo) => {
      const file = await custody.exports.file('acme', info.id);
      const source = await openFileSource(file.path);
      try {
        return await verifyBundle(source, { trustedKeys: [vkey], crypto: nodeBundleCrypto, inflate: nodeInflateRaw });
      } finally {
        await source.close();
      }
    };

    it('writes a complete-range bundle that verifies: every leaf of the range, the rest withheld, none missing', async () => {
      const info = await custody.exports.runToCompletion('acme', request(), REQUESTER);
      expect(info.status, info.error ?? '').toBe('completed');
      // Actor u_2 is every fifth event from seq 2: the range is [2, 118), 116 leaves, 24 of them shown.
      expect(info.counts).toEqual({ shown: 24, withheld: 92, purged: 0 });
      expect(info.controlNumbers).toEqual({ first: 'MAT2026001000001', last: 'MAT2026001000024' });
      const report = await verify(info);
      expect(report.valid, formatVerificationReport(report)).toBe(true);
      expect(formatVerificationReport(report)).toMatch(/none missing/);
    });

    it('writes a selected-mode bundle with only the matching events, each proven', async () => {
      const info = await custody.exports.runToCompletion('acme', request({ mode: 'selected', filter: { actorId: 'u_3' } }), REQUESTER);
      expect(info.status, info.error ?? '').toBe('completed');
      expect(info.counts).toEqual({ shown: 24, withheld: 0, purged: 0 });
      const report = await verify(info);
      expect(report.valid, formatVerificationReport(report)).toBe(true);
    });

    it('logs every export as an audit event with the file SHA-256', async () => {
      const [info] = await custody.exports.list('acme', 1);
      expect(info?.auditEvent).not.toBeNull();
      const logged = await custody.events.get('acme', info?.auditEvent?.id ?? '');
      expect(logged).toMatchObject({ action: 'custody.export.completed', actor: { id: 'key_test', type: 'api_key' }, metadata: { sha256: info?.sha256 } });
      expect(logged.targets[0]).toMatchObject({ type: 'export', id: info?.id });
    });

    it('writes CSV, NDJSON and DAT productions with consistent control numbers', async () => {
      const csv = await custody.exports.runToCompletion('acme', request({ format: 'csv', controlPrefix: 'ACME' }), REQUESTER);
      const ndjson = await custody.exports.runToCompletion('acme', request({ format: 'ndjson' }), REQUESTER);
      const dat = await custody.exports.runToCompletion('acme', request({ format: 'dat', controlPrefix: 'ACME' }), REQUESTER);
      for (const info of [csv, ndjson, dat]) expect(info.status, info.error ?? '').toBe('completed');
      const csvText = await readFile((await custody.exports.file('acme', csv.id)).path, 'utf8');
      expect(csvText.startsWith('\ufeff')).toBe(false);
      expect(csvText.split('\r\n').filter(Boolean)).toHaveLength(25);
      expect(csvText).toContain('ACME000001');
      const lines = (await readFile((await custody.exports.file('acme', ndjson.id)).path, 'utf8')).split('\n').filter(Boolean);
      expect(lines).toHaveLength(24);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ actor: { id: 'u_2' } });
      const datBytes = await readFile((await custody.exports.file('acme', dat.id)).path);
      expect(datBytes.includes(Buffer.from('\u0014', 'utf8'))).toBe(true);
      expect(datBytes.includes(Buffer.from('þACME000024þ', 'utf8'))).toBe(true);
    });

    it('exports text outside ASCII exactly as logged (bodies are read as UTF-8 text)', async () => {
      const name = 'Zoë Ångström — 東京 🎉 \uFFFD';
      await custody.ingestor.ingest('acme', [event({ actor: { id: 'u_intl', type: 'user', name }, metadata: { note: `${name} \u2028 \u00a0` } })]);
      const bundle = await custody.exports.runToCompletion('acme', request({ mode: 'selected', filter: { actorId: 'u_intl' } }), REQUESTER);
      expect(bundle.status, bundle.error ?? '').toBe('completed');
      const report = await verify(bundle);
      expect(report.valid, formatVerificationReport(report)).toBe(true);
      const ndjson = await custody.exports.runToCompletion('acme', request({ format: 'ndjson', filter: { actorId: 'u_intl' } }), REQUESTER);
      const [line] = (await readFile((await custody.exports.file('acme', ndjson.id)).path, 'utf8')).split('\n');
      expect(JSON.parse(line ?? '{}')).toMatchObject({ actor: { name }, metadata: { note: `${name} \u2028 \u00a0` } });
      const csv = await custody.exports.runToCompletion('acme', request({ format: 'csv', filter: { actorId: 'u_intl' } }), REQUESTER);
      expect(await readFile((await custody.exports.file('acme', csv.id)).path, 'utf8')).toContain(name);
    });

    it('renders a production report with the bundle hash and the checkpoint', async () => {
      const [bundle] = (await custody.exports.list('acme')).filter((e) => e.format === 'bundle');
      const html = await custody.exports.report('acme', bundle?.id ?? '');
      expect(html).toContain(bundle?.sha256 ?? 'missing');
      expect(html).toContain('MAT-2026-001');
      expect(html).toContain('custody.test/acme');
    });

    it('fails clearly when nothing matches, and refuses bad requests', async () => {
      const info = await custody.exports.runToCompletion('acme', request({ filter: { actorId: 'nobody' } }), REQUESTER);
      expect(info.status).toBe('failed');
      expect(info.error).toMatch(/matches no event/);
      await expect(custody.exports.create('acme', request({ custodian: '' }), REQUESTER)).rejects.toThrow(/custodian is required/);
      await expect(custody.exports.create('acme', request({ controlPrefix: 'bad prefix' }), REQUESTER)).rejects.toThrow(/controlPrefix/);
      await expect(custody.exports.file('acme', info.id)).rejects.toThrow(/failed/);
    });

    it('refuses at once what the job would fail on: DAT delimiters its writer refuses, a recipient checkpoint the log never signed', async () => {
      const before = (await custody.exports.list('acme', 500)).length;
      const refused = (overrides: Partial<TExportRequest>) => custody.exports.create('acme', request(overrides), REQUESTER);
      await expect(refused({ format: 'dat', dat: { field: '|', quote: '|' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'dat.quote: quote and field delimiters are the same character' });
      await expect(refused({ format: 'dat', dat: { newline: '\n' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'dat.newline: newline delimiter cannot be CR or LF (records end with CRLF)' });
      await expect(refused({ includeDat: true, dat: { quote: 'ā', encoding: 'cp1252' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'dat.quote: quote delimiter is not a windows-1252 character' });
      await expect(refused({ sinceCheckpointSize: 1_000_000 })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: 'sinceCheckpointSize: this log has no signed checkpoint of size 1000000; give the size of a checkpoint the recipient holds from this log',
      });
      expect((await custody.exports.list('acme', 500)).length, 'no job was queued').toBe(before);
      // A delimiter that only a DAT file uses is not checked for a bundle without one; a checkpoint the log signed is taken.
      await custody.checkpointer.checkpoint('acme');
      const [signed] = await custody.log.listCheckpoints('acme', { fromSize: 1, limit: 1 });
      const bundle = await custody.exports.runToCompletion('acme', request({ dat: { field: '|', quote: '|' }, sinceCheckpointSize: signed?.size ?? -1 }), REQUESTER);
      expect(bundle.status, bundle.error ?? '').toBe('completed');
    });

    it('shows an event whose body retention removed as a purged leaf, and the bundle still verifies', async () => {
      const { db, dialect } = custody.database;
      await dialect.removeSearchText(db, 'acme', [12]);
      await db.deleteFrom('events').where('organization_id', '=', 'acme').where('seq', '=', 12).execute();
      const info = await custody.exports.runToCompletion('acme', request({ filter: { actorId: 'u_2' } }), REQUESTER);
      expect(info.status, info.error ?? '').toBe('completed');
      expect(info.counts).toEqual({ shown: 23, withheld: 92, purged: 1 });
      const report = await verify(info);
      expect(report.valid, formatVerificationReport(report)).toBe(true);
      expect(formatVerificationReport(report)).toMatch(/1 purged/);
    });

    /** A job row as another process (or an earlier run) left it. */
    const insertJob = async (id: string, values: { status: string; runner: string | null; heartbeat_at: number | null; file_name?: string; sha256?: string }) => {
      await custody.database.db
        .insertInto('exports')
        .values({
          id, organization_id: 'acme', format: 'ndjson', mode: null, request: JSON.stringify(request({ format: 'ndjson' })), created_at: Date.now() - 1000, created_by: 'api_key:key_test',
          started_at: null, finished_at: null, expires_at: null, progress_done: 0, progress_total: null, file_name: values.file_name ?? null, file_size: null,
          sha256: values.sha256 ?? null, checkpoint_size: null, events_shown: null, events_withheld: null, events_purged: null, control_first: null, control_last: null,
          error: null, audit_event_id: null, audit_seq: null, status: values.status, runner: values.runner, heartbeat_at: values.heartbeat_at,
        })
        .execute();
    };

    it('leaves the jobs other live processes run, and fails those whose process stopped, naming it', async () => {
      const now = Date.now();
      await insertJob('exp_live', { status: 'running', runner: 'other-host:41:a1b2c3d4', heartbeat_at: now - 5_000 });
      await insertJob('exp_gone', { status: 'running', runner: 'gone-host:42:e5f6a7b8', heartbeat_at: now - 120_000 });
      await insertJob('exp_legacy', { status: 'queued', runner: null, heartbeat_at: null });
      expect(await custody.exports.failStopped(now)).toBe(2);
      expect((await custody.exports.get('acme', 'exp_live')).status).toBe('running');
      const gone = await custody.exports.get('acme', 'exp_gone');
      expect(gone.status).toBe('failed');
      expect(gone.error).toBe(`interrupted: the process running it (gone-host:42:e5f6a7b8) stopped before the export finished (no heartbeat since ${new Date(now - 120_000).toISOString()}); start it again`);
      expect((await custody.exports.get('acme', 'exp_legacy')).error).toMatch(/^interrupted: the server process running it stopped/);
      // The live one, once its heartbeat stops too.
      expect(await custody.exports.failStopped(now + 60_000)).toBe(1);
      expect((await custody.exports.get('acme', 'exp_live')).status).toBe('failed');
    });

    it('fails at once, heartbeat or not, a job of a process of this host that is no longer running', async () => {
      const exited = spawnSync(process.execPath, ['-e', '']).pid;
      const now = Date.now();
      await insertJob('exp_exited', { status: 'running', runner: `${hostname()}:${exited}:0f0f0f0f`, heartbeat_at: now - 1_000 });
      // This process's id, another run: a server restarted in a container, where it is process 1 again.
      await insertJob('exp_earlier', { status: 'running', runner: `${hostname()}:${process.pid}:1e1e1e1e`, heartbeat_at: now - 1_000 });
      // A process of this host that is running (this test's parent).
      await insertJob('exp_parent', { status: 'running', runner: `${hostname()}:${process.ppid}:2d2d2d2d`, heartbeat_at: now - 1_000 });
      expect(await custody.exports.failStopped(now)).toBe(2);
      expect((await custody.exports.get('acme', 'exp_exited')).error).toBe(
        `interrupted: the process running it (${hostname()}:${exited}:0f0f0f0f) stopped before the export finished (it is no longer running on this host); start it again`,
      );
      expect((await custody.exports.get('acme', 'exp_earlier')).status).toBe('failed');
      expect((await custody.exports.get('acme', 'exp_parent')).status).toBe('running');
      await custody.database.db.updateTable('exports').set({ status: 'failed' }).where('id', '=', 'exp_parent').execute();
    });

    it('records the process that runs a job, and its heartbeat', async () => {
      const started = Date.now();
      const info = await custody.exports.runToCompletion('acme', request({ format: 'csv' }), REQUESTER);
      const row = await custody.database.db.selectFrom('exports').select(['runner', 'heartbeat_at']).where('id', '=', info.id).executeTakeFirstOrThrow();
      expect(row.runner).toBe(custody.exports.runner);
      expect(custody.exports.runner).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[0-9a-f]{8}$`));
      expect(Number(row.heartbeat_at)).toBeGreaterThanOrEqual(started);
      // Its own finished job is not another process's to fail.
      expect(await custody.exports.failStopped(Date.now() + 3_600_000)).toBe(0);
    });

    it('says where a file written on another host is, rather than that it is gone', async () => {
      await insertJob('exp_elsewhere', { status: 'completed', runner: 'host-b:7:0a0b0c0d', heartbeat_at: Date.now(), file_name: 'exp_elsewhere.ndjson', sha256: '0'.repeat(64) });
      await expect(custody.exports.file('acme', 'exp_elsewhere')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/^the file of export "exp_elsewhere" was written on host-b \(process host-b:7:0a0b0c0d\) .*CUSTODY_EXPORT_DIR/) as unknown,
      });
      await insertJob('exp_here', { status: 'completed', runner: `${hostname()}:7:0a0b0c0d`, heartbeat_at: Date.now(), file_name: 'exp_here.ndjson', sha256: '0'.repeat(64) });
      await expect(custody.exports.file('acme', 'exp_here')).rejects.toMatchObject({ code: 'GONE' });
    });

    it('expires files but keeps the record', async () => {
      const [first] = (await custody.exports.list('acme')).filter((e) => e.status === 'completed');
      expect(await custody.exports.sweep(Date.now() + 30 * 24 * 3600 * 1000)).toBeGreaterThan(0);
      const after = await custody.exports.get('acme', first?.id ?? '');
      expect(after.status).toBe('expired');
      await expect(custody.exports.file('acme', after.id)).rejects.toThrow(/expired/);
    });
  });
}
