import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCheckpoint } from '@custody/ledger';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Each command is a fresh `node --import tsx` process: seconds each on a loaded CI machine.
describe('the custody CLI', { timeout: 300_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'custody-cli-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const custody = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('prints usage with --help', () => {
    const r = custody(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('orgs create <name>');
  });

  it('exits 2 with the variable and the rule for bad configuration', () => {
    const r = custody(['orgs', 'list'], { PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT="eighty"');
    const name = custody(['orgs', 'list'], { CUSTODY_LOG_NAME: 'has space' });
    expect(name.status).toBe(2);
    expect(name.stderr).toContain('CUSTODY_LOG_NAME');
    const memory = custody(['orgs', 'list'], { CUSTODY_STATS_MEMORY_MB: 'lots' });
    expect(memory.status).toBe(2);
    expect(memory.stderr).toContain('CUSTODY_STATS_MEMORY_MB="lots"');
  });

  it('exits 2 on an unknown command or option', () => {
    expect(custody(['frobnicate']).status).toBe(2);
    expect(custody(['orgs', 'list', '--bogus']).status).toBe(2);
  });

  it('migrates, creates an organization and lists it', () => {
    expect(custody(['migrate']).stdout).toMatch(/applied: 0001-initial|up to date/);
    const created = custody(['orgs', 'create', 'Acme Inc.', '--id', 'acme']);
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('created acme');
    expect(custody(['orgs', 'create', 'Again', '--id', 'acme']).stderr).toContain('already exists');
    expect(custody(['orgs', 'list']).stdout).toMatch(/^acme\t0 events\tAcme Inc\.$/m);
    // The first checkpoint, signed by the command, checks out against the published keys without any `serve`.
    const checked = custody(['check']);
    expect(checked.stdout + checked.stderr).not.toContain('DOES NOT CHECK OUT');
    expect(checked.status).toBe(0);
  });

  it('creates the signing key readable only by its owner', async () => {
    const info = await stat(join(dataDir, 'signing.key'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(custody(['signing-key', 'show']).stdout).toMatch(/^custody\.localhost\+[0-9a-f]{8}\+/);
  });

  it('creates, lists and revokes API keys', () => {
    const created = JSON.parse(custody(['keys', 'create', '--name', 'app', '--org', 'acme', '--scopes', 'events:write', '--json']).stdout) as { key: { id: string }; secret: string };
    expect(created.secret).toMatch(/^custody_sk_/);
    expect(custody(['keys', 'list']).stdout).toContain(created.key.id);
    expect(custody(['keys', 'list', '--org', 'acme']).stdout).toContain(created.key.id);
    const unknown = custody(['keys', 'list', '--org', 'nope']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('organization "nope" not found');
    expect(custody(['keys', 'revoke', created.key.id]).stdout).toContain('revoked');
    expect(custody(['keys', 'create', '--name', 'x', '--scopes', 'root']).stderr).toContain('unknown scope "root"');
  });

  it('signs and prints a checkpoint that opens with the published key', () => {
    const note = custody(['checkpoint', 'acme']).stdout;
    const vkey = custody(['signing-key', 'show']).stdout.split('\n')[0] ?? '';
    expect(openCheckpoint(note, [vkey]).origin).toBe('custody.localhost/acme');
    expect(custody(['checkpoint', 'nope']).status).toBe(1);
  });

  describe('export and verify', () => {
    let vkey = '';
    beforeAll(async () => {
      vkey = custody(['signing-key', 'show']).stdout.split('\n')[0] ?? '';
      // Events through the library, as the server would commit them.
      const { boot } = await import('../src/boot');
      const { loadConfig } = await import('../src/env');
      const booted = await boot(loadConfig({ CUSTODY_DATA_DIR: dataDir }));
      await booted.custody.ingestor.ingest(
        'acme',
        Array.from({ length: 60 }, (_, i) => ({
          action: i % 3 === 0 ? 'document.deleted' : 'user.signed_in',
          occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
          actor: { id: `u_${i % 4}`, type: 'user' },
          targets: [],
          context: { location: '10.0.0.1' },
        })),
      );
      await booted.custody.close();
    });

    const exportArgs = (out: string, extra: string[] = []) => [
      'export', 'acme', '--matter-name', 'Acme v. Example', '--matter-number', 'MAT-7', '--custodian', 'Jane Roe', '--reason', 'RFP 12',
      '--filter', '{"actions":["document.*"]}', '-o', join(dataDir, out), ...extra,
    ];

    it('writes a bundle, prints its SHA-256, and verifies it offline with exit 0', async () => {
      const r = custody(exportArgs('b.zip'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^sha256 [0-9a-f]{64}$/m);
      expect(r.stdout).toContain('events 20 shown, 38 withheld, 0 purged');
      const v = custody(['verify', join(dataDir, 'b.zip'), '--vkey', vkey]);
      expect(v.status, v.stdout + v.stderr).toBe(0);
      expect(v.stdout).toContain('20/20 events valid');
      const json = JSON.parse(custody(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--json']).stdout) as { valid: boolean };
      expect(json.valid).toBe(true);
      const sha = /^sha256 ([0-9a-f]{64})$/m.exec(r.stdout)?.[1];
      const { createHash } = await import('node:crypto');
      const { readFile } = await import('node:fs/promises');
      expect(createHash('sha256').update(await readFile(join(dataDir, 'b.zip'))).digest('hex')).toBe(sha);
    });

    it('refuses a --filter that is not JSON, or names a field twice, before exporting anything (exit 2)', () => {
      const twice = custody(exportArgs('twice.zip').map((a) => (a === '{"actions":["document.*"]}' ? '{"actions":["document.*"],"actions":["user.*"]}' : a)));
      expect({ status: twice.status, stderr: twice.stderr }).toEqual({
        status: 2,
        stderr: expect.stringContaining('--filter must be JSON (duplicate member name "actions" at line 1, column 27)') as unknown,
      });
      const broken = custody(exportArgs('broken.zip').map((a) => (a === '{"actions":["document.*"]}' ? '{"actions":' : a)));
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain('--filter must be JSON (unexpected end of input');
      expect(existsSync(join(dataDir, 'twice.zip')) || existsSync(join(dataDir, 'broken.zip'))).toBe(false);
    });

    it('exits 1 for a bundle sealed by a key the verifier does not trust', async () => {
      const { generateSigner } = await import('@custody/ledger');
      const other = generateSigner('custody.localhost').vkey;
      const v = custody(['verify', join(dataDir, 'b.zip'), '--vkey', other]);
      expect(v.status).toBe(1);
      expect(v.stdout).toMatch(/INVALID/);
    });

    it('exits 2 for unusable input, a missing key or a malformed key', async () => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dataDir, 'junk.zip'), 'not a zip at all');
      expect(custody(['verify', join(dataDir, 'junk.zip'), '--vkey', vkey]).status).toBe(2);
      expect(custody(['verify', join(dataDir, 'missing.zip'), '--vkey', vkey]).status).toBe(2);
      expect(custody(['verify', join(dataDir, 'b.zip')]).stderr).toContain('obtained separately');
      expect(custody(['verify', join(dataDir, 'b.zip'), '--vkey', 'nonsense']).status).toBe(2);
      const threads = custody(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--threads', '0']);
      expect(threads.status).toBe(2);
      expect(threads.stderr).toContain('--threads must be an integer from 1 to 99');
    });

    it('reports corrupt compressed data as invalid, without hanging', async () => {
      const { readFile, writeFile } = await import('node:fs/promises');
      const { memorySource, openZip } = await import('@custody/bundle');
      const zip = new Uint8Array(await readFile(join(dataDir, 'b.zip')));
      const entry = (await openZip(memorySource(zip))).entries.find((e) => e.name.endsWith('data/events.ndjson'));
      if (entry === undefined) throw new Error('no events.ndjson in the bundle');
      const verify = (file: string, threads: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'verify', join(dataDir, file), '--vkey', vkey, '--threads', threads], {
          cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '' },
        });
      // Damage in the middle of the stream: what it inflates to depends on the bundle's bytes (random ids and
      // salts), either a stream error (invalid, CORRUPT_FILE) or data of the wrong length (unusable, BAD_ZIP).
      // Either way it is found, and verify stops the stream early without hanging.
      const middled = new Uint8Array(zip);
      const middle = entry.dataOffset + Math.floor(entry.compressedSize / 2);
      for (let i = 0; i < 16; i++) middled[middle + i] = (middled[middle + i] as number) ^ 0x5a;
      await writeFile(join(dataDir, 'corrupt-middle.zip'), middled);
      // A first block of the reserved type (BFINAL 1, BTYPE 11): a stream error, whatever the bundle holds.
      const reserved = new Uint8Array(zip);
      reserved[entry.dataOffset] = 0b111;
      await writeFile(join(dataDir, 'corrupt.zip'), reserved);
      for (const threads of ['1', '2']) {
        const r = verify('corrupt-middle.zip', threads);
        expect(r.signal, 'custody verify was killed after 60 s: it hung').toBeNull();
        expect([1, 2], r.stdout + r.stderr).toContain(r.status);
        expect(r.stdout).toMatch(/CORRUPT_FILE|BAD_ZIP/);
        const s = verify('corrupt.zip', threads);
        expect(s.signal, 'custody verify was killed after 60 s: it hung').toBeNull();
        expect(s.status, s.stdout + s.stderr).toBe(1);
        expect(s.stdout).toContain('CORRUPT_FILE');
      }
    });

    it('runs verify through the launcher (bin/custody.js) on its own module, with the same verdict and exit codes', () => {
      const launch = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'custody.js'), ...args], {
        cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '' },
      });
      const ok = launch(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--json']);
      expect(ok.status, ok.stderr).toBe(0);
      const report = JSON.parse(ok.stdout) as { valid: boolean; counts: { eventsValid: number } };
      expect(report.valid).toBe(true);
      expect(report.counts.eventsValid).toBe(20);
      expect(launch(['verify', join(dataDir, 'corrupt.zip'), '--vkey', vkey]).status).toBe(1);
      const usage = launch(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--threads', '0']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('Usage: custody verify');
      expect(launch(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--no-such-option']).status).toBe(2);
    });

    it('keeps its exit status when the reader of its output goes away (custody verify … | head -c 0)', async () => {
      /** Runs verify with its stdout a pipe closed at once; resolves with the exit status and stderr. */
      const closedReader = (entry: string[], file: string) =>
        new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [...entry, 'verify', join(dataDir, file), '--vkey', vkey], {
            cwd: root, env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
          });
          child.stdout.destroy();
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (status) => resolve({ status, stderr }));
        });
      // The launcher's fast path (its own module) and the whole CLI.
      for (const entry of [[join(root, 'bin', 'custody.js')], ['--import', 'tsx', join(root, 'src', 'cli.ts')]]) {
        const valid = await closedReader(entry, 'b.zip');
        expect(valid.status, valid.stderr).toBe(0);
        expect(valid.stderr).not.toMatch(/EPIPE|\n\s+at /);
        const invalid = await closedReader(entry, 'corrupt.zip');
        expect(invalid.status, invalid.stderr).toBe(1);
        expect(invalid.stderr).not.toMatch(/EPIPE|\n\s+at /);
      }
    });

    it('reaches the same verdict on one thread and on several', () => {
      // 1: all inline; 2: one reading thread and one checker; 4: one reading and three checkers.
      const [one, two, four] = ['1', '2', '4'].map(
        (threads) => JSON.parse(custody(['verify', join(dataDir, 'b.zip'), '--vkey', vkey, '--json', '--threads', threads]).stdout) as { valid: boolean; checks: unknown; counts: unknown },
      );
      expect(one?.valid).toBe(true);
      for (const other of [two, four]) {
        expect(other?.checks).toEqual(one?.checks);
        expect(other?.counts).toEqual(one?.counts);
      }
    });

    it('re-exports with the earlier custody entries carried in the chain of custody', () => {
      const r = custody(exportArgs('again.zip', ['--previous-bundle', join(dataDir, 'b.zip'), '--mode', 'selected']));
      expect(r.status, r.stderr).toBe(0);
      const v = custody(['verify', join(dataDir, 'again.zip'), '--vkey', vkey, '--json']);
      expect(v.status).toBe(0);
    });

    it('writes CSV and DAT productions, pointing to their SHA-256 rather than to verify, which takes bundles only', () => {
      const csv = custody(exportArgs('p.csv', ['--format', 'csv']));
      expect(csv.status).toBe(0);
      expect(csv.stdout).toContain(`check with: sha256sum ${join(dataDir, 'p.csv')} (the SHA-256 above; a CSV production holds no proofs`);
      expect(csv.stdout).not.toContain('verify with');
      expect(custody(exportArgs('p.dat', ['--format', 'dat'])).status).toBe(0);
      expect(custody(exportArgs('x.zip', ['--format', 'pdf'])).status).toBe(2);
    });

    it('adds a DAT load file to a bundle with --include-dat, and refuses it for other formats', async () => {
      const r = custody(exportArgs('with-dat.zip', ['--include-dat']));
      expect(r.status, r.stderr).toBe(0);
      const v = custody(['verify', join(dataDir, 'with-dat.zip'), '--vkey', vkey, '--json']);
      expect(v.status, v.stdout).toBe(0);
      const { openFileSource } = await import('@custody/core');
      const { openZip } = await import('@custody/bundle');
      const source = await openFileSource(join(dataDir, 'with-dat.zip'));
      try {
        const names = (await openZip(source, {})).entries.map((e) => e.name);
        expect(names.filter((n) => n.endsWith('loadfile.dat'))).toHaveLength(1);
      } finally {
        await source.close();
      }
      const refused = custody(exportArgs('p2.csv', ['--format', 'csv', '--include-dat']));
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('--include-dat adds a DAT load file to a bundle; for a DAT file alone use --format dat');
    });
  });

  it('serve warns when its signing key is named other than CUSTODY_LOG_NAME (a key keeps the name it was made with)', async () => {
    const { startServerProcess } = await import('./process');
    const { generateSigner } = await import('@custody/ledger');
    const dir = await mkdtemp(join(tmpdir(), 'custody-key-name-'));
    const server = await startServerProcess({ CUSTODY_DATA_DIR: dir, DATABASE_URL: '', CUSTODY_SIGNING_KEY: generateSigner('custody.localhost').skey, CUSTODY_LOG_NAME: 'audit.example.com' });
    try {
      const warnings = server.output().split('\n').filter((line) => line.includes('the signing key is named'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40, keyName: 'custody.localhost', logName: 'audit.example.com' });
      expect(warnings[0]).toContain('rotate the key with CUSTODY_LOG_NAME set');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serve warns once, naming the setting, when the statistics copy would pass its memory limit, and answers statistics in SQL', async () => {
    const { startServerProcess } = await import('./process');
    const dir = await mkdtemp(join(tmpdir(), 'custody-limit-'));
    const server = await startServerProcess({ CUSTODY_DATA_DIR: dir, DATABASE_URL: '', CUSTODY_STATS_MEMORY_MB: '0' });
    try {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.bootstrapKey ?? ''}` };
      const post = (path: string, input: unknown) => fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) });
      expect((await post('organizations.create', { id: 'acme', name: 'Acme' })).status).toBe(200);
      const event = { action: 'user.signed_in', occurred_at: '2026-01-01T00:00:00Z', actor: { id: 'u_1', type: 'user' }, targets: [], context: { location: '10.0.0.9' } };
      for (let i = 0; i < 3; i++) expect((await post('events.create', { organizationId: 'acme', event })).status).toBe(200);
      const input = encodeURIComponent(JSON.stringify({ organizationId: 'acme', filter: { actions: ['user.*'] } }));
      for (let i = 0; i < 2; i++) {
        const stats = (await (await fetch(`${server.url}/trpc/events.stats?input=${input}`, { headers })).json()) as { result: { data: { total: number } } };
        expect(stats.result.data.total).toBe(3);
      }
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/custody_query_stats_copy_over_limit 1\n/);
      expect(metrics).toMatch(/custody_query_stats_memory_limit_bytes 0\n/);
      const warnings = server.output().split('\n').filter((line) => line.includes('statistics copy'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40, statsMemoryBytes: 0 });
      expect(warnings[0]).toContain('answered in SQL (the limit is CUSTODY_STATS_MEMORY_MB');
      // The key it made is named after the log: nothing to warn about.
      expect(server.output()).not.toContain('the signing key is named');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tail follows new events as NDJSON until interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'tail', 'acme'], {
      cwd: root,
      env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Wait until tail is following, then commit events through the library.
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('following')) resolve();
      });
      child.on('exit', () => reject(new Error(`tail exited: ${err}`)));
    });
    const { boot } = await import('../src/boot');
    const { loadConfig } = await import('../src/env');
    const booted = await boot(loadConfig({ CUSTODY_DATA_DIR: dataDir }));
    await booted.custody.ingestor.ingest('acme', [1, 2, 3].map((n) => ({
      action: 'user.tailed', occurred_at: '2026-01-01T00:00:00Z', actor: { id: `t_${n}`, type: 'user' }, targets: [], context: { location: '10.0.0.9' },
    })));
    await booted.custody.close();
    for (let i = 0; i < 100 && (out.match(/user\.tailed/g) ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { action: string; actor: { id: string } });
    expect(lines.map((l) => l.actor.id)).toEqual(['t_1', 't_2', 't_3']);
  });

  it('backs up the database while events are written, and checks every log in the copy', async () => {
    const { execFile } = await import('node:child_process');
    const { boot } = await import('../src/boot');
    const { loadConfig } = await import('../src/env');
    const booted = await boot(loadConfig({ CUSTODY_DATA_DIR: dataDir }));
    const { custody: live } = booted;
    const backedUp = (n: number) => ({ action: 'user.backed_up', occurred_at: '2026-01-02T00:00:00Z', actor: { id: `b_${n}`, type: 'user' }, targets: [], context: { location: '10.0.0.7' } });
    await live.createOrganization({ id: 'vault', name: 'Vault' });
    await live.ingestor.ingest('vault', Array.from({ length: 10 }, (_, n) => backedUp(n)));
    await live.signingKeys.activate(live.signingKey);
    await live.log.latestCheckpoint('vault', { fresh: true });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await live.ingestor.ingest('vault', [backedUp(10 + written)]);
        written += 1;
      }
    })();
    const file = join(dataDir, 'backup-1.db');
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'backup', file],
        { cwd: root, env: { ...process.env, CUSTODY_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' } },
        (error, stdout, stderr) => resolve({ status: error === null ? 0 : Number(error.code), stdout, stderr }),
      );
    });
    writing = false;
    await writer;
    await live.close();
    expect(r.stderr).toMatch(/copied [\d,]+ pages in/);
    expect(r.stdout).toMatch(/^vault\t[\d,]+ events\tcheckpoint at [\d,]+ verified, root [0-9a-f]{64}$/m);
    expect(r.stdout).toContain(`backed up ${file}`);
    // What the copy needs beside it, as a restore meets it: a server refuses to start on it without the key.
    expect(r.stdout).toContain('a server restored without it refuses to start until the key is put back');
    expect(r.status).toBe(0);
    expect(written).toBeGreaterThan(0);

    const again = custody(['backup', file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
    const json = custody(['backup', join(dataDir, 'backup-2.db'), '--json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; logs: { organizationId: string; checkpointSize: number | null; problem: string | null }[] };
    expect(report.ok).toBe(true);
    expect(report.logs.find((l) => l.organizationId === 'vault')).toMatchObject({ checkpointSize: 10, problem: null });
    const postgres = custody(['backup', join(dataDir, 'never.db')], { DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect(postgres.status).toBe(2);
    expect(postgres.stderr).toContain('pg_dump');

    // The copy, and the database itself (its server stopped), rebuilt from every event body and leaf.
    const fullCopy = custody(['backup', join(dataDir, 'backup-3.db'), '--full']);
    expect(fullCopy.stderr).toContain('from every event body and leaf');
    expect(fullCopy.stdout).toMatch(/^vault\t[\d,]+ events\tcheckpoint at 10 verified, root [0-9a-f]{64}$/m);
    expect(fullCopy.status).toBe(0);
    const check = custody(['check', '--full']);
    expect(check.stdout).toMatch(/^vault\t[\d,]+ events\tcheckpoint at 10 verified/m);
    expect(check.stdout).toContain('every log checks out');
    expect(check.status).toBe(0);
  });

  it('rotates the signing key and keeps the old one published', () => {
    const before = custody(['signing-key', 'show']).stdout.split('\n')[0] ?? '';
    const rotated = custody(['signing-key', 'rotate']);
    expect(rotated.stdout).toContain(`retired ${before}`);
    const after = custody(['signing-key', 'show']).stdout.split('\n')[0] ?? '';
    expect(after).not.toBe(before);
    // Both vkeys stay published, the new one active; old checkpoints still open with the old key.
    const listed = custody(['signing-key', 'list']).stdout.trim().split('\n');
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatch(new RegExp(`^${after.replaceAll('+', '\\+')}\t.*\tactive$`));
    expect(listed[1]).toMatch(/\tretired /);
    // The latest checkpoint opens with the published keys: the old one if the log did not grow since
    // the rotation, the new one if it did (exports above logged audit events).
    const note = custody(['checkpoint', 'acme']).stdout;
    expect(() => openCheckpoint(note, [before, after])).not.toThrow();
  });
});

describe('custody viewer', () => {
  let webDir: string;
  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'custody-viewer-web-'));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(webDir, 'assets'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Custody Viewer</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(join(webDir, 'assets', 'app.js'), 'export {};');
  });
  afterAll(() => rm(webDir, { recursive: true, force: true }));

  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'viewer', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });

  it('serves the web build on 127.0.0.1 at --port and prints the URL', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'viewer', '--port', '0', '--dir', webDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`viewer did not start:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /Custody Viewer is running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Custody Viewer</title>');
      expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const script = await fetch(`${url}assets/app.js`);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${url}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('defaults to port 4400 (usage) and refuses a bad port or a missing build', () => {
    const { stdout } = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), '--help'], { cwd: root, encoding: 'utf8' });
    expect(stdout).toContain('viewer [--port <port>]');
    expect(stdout).toContain('http://127.0.0.1:4400');
    expect(run(['--port', 'http']).status).toBe(2);
    const missing = run(['--port', '0', '--dir', join(webDir, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('npm run build -w @custody/viewer');
  });
});
