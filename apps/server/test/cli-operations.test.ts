/**
 * The custody command as an operator meets it, on real processes: its settings and what they point at, usage
 * errors, the signing key commands, the first start (the bootstrap admin key, the banner, the logs), graceful
 * shutdown with a stalled client, and a closed stdout.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '@custody/db';
import { createTestDatabase, DIALECTS } from '@custody/db/testing';
import { generateSigner } from '@custody/ledger';

import { EVENT } from './helpers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = ['--import', 'tsx', join(root, 'src', 'cli.ts')];

/** One `custody` command, run to its end. */
function custody(args: string[], env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
    ...options,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface TServe {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `custody serve`, its stdout and stderr apart; resolves once it listens, rejects if it exits first. */
async function serve(env: Record<string, string>): Promise<TServe> {
  const child = spawn(process.execPath, [...CLI, 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 90_000);
    child.stderr?.on('data', () => {
      const m = /Custody is running at (http:\/\/\S+)/.exec(err);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) during start:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

const bootstrapKeyIn = (text: string) => /^\s+(custody_sk_\S+)\s*$/m.exec(text)?.[1] ?? null;

async function trpc(url: string, key: string, path: string, input: unknown): Promise<Response> {
  return fetch(`${url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(input) });
}

/** A POST whose body arrives one byte every 500 ms (never complete before the test ends it). */
function stalledPost(url: string, key: string): { close: () => void } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const body = JSON.stringify({ organizationId: 'acme', event: EVENT });
  socket.on('error', () => undefined);
  socket.write(`POST /trpc/events.create HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\nContent-Length: ${body.length}\r\n\r\n`);
  let i = 0;
  const timer = setInterval(() => {
    if (i < body.length - 1 && !socket.destroyed) socket.write(body[i++] ?? '');
  }, 500);
  socket.on('close', () => clearInterval(timer));
  return {
    close: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** The log's size and its latest checkpoint's, in the SQLite database of `dataDir`. */
async function sizes(dataDir: string, org: string): Promise<{ size: number; checkpoint: number }> {
  const d = await openDatabase({ url: join(dataDir, 'custody.db') });
  try {
    const { size } = await d.db.selectFrom('logs').select('size').where('organization_id', '=', org).executeTakeFirstOrThrow();
    const last = await d.db.selectFrom('checkpoints').select('size').where('organization_id', '=', org).orderBy('size', 'desc').limit(1).executeTakeFirstOrThrow();
    return { size, checkpoint: last.size };
  } finally {
    await d.close();
  }
}

describe('the custody command, as an operator meets it', { timeout: 300_000 }, () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'custody-ops-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));
  let n = 0;
  /** A data directory that does not exist yet. */
  const freshDir = () => join(tmp, `data-${++n}`);

  describe('settings', () => {
    it('takes numbers in decimal digits only (no blank, hexadecimal or exponent), with the variable named and exit 2', () => {
      for (const [name, value] of [
        ['PORT', ' '],
        ['PORT', '0x1069'],
        ['PORT', '1e3'],
        ['CUSTODY_QUERY_TIMEOUT_MS', '-1'],
        ['CUSTODY_EXPORT_RETENTION_HOURS', '1.5'],
      ] as const) {
        const r = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), [name]: value });
        expect(r.status, `${name}=${JSON.stringify(value)}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`${name}=${JSON.stringify(value)}: must be a whole number in decimal digits`);
      }
    });

    it('names the variable and exits 2 when a setting points at something unusable', async () => {
      const scheme = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: 'mysql://user:secret@db/custody' });
      expect(scheme.status).toBe(2);
      expect(scheme.stderr).toContain('DATABASE_URL: unsupported database URL scheme');
      expect(scheme.stderr).not.toContain('secret');

      const unreachable = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: 'postgres://custody:secret@127.0.0.1:1/custody' });
      expect(unreachable.status).toBe(2);
      expect(unreachable.stderr).toContain('DATABASE_URL: the database at postgres://custody:***@127.0.0.1:1/custody could not be reached: connect ECONNREFUSED');
      expect(unreachable.stderr).not.toContain('secret');
      expect(unreachable.stderr).not.toContain('migration');

      // A port that accepts connections and never answers (a proxy whose database is gone, a host that drops
      // packets): the start gives up after the connect timeout instead of waiting for TCP's (minutes).
      const silent = createServer(() => undefined).listen(0, '127.0.0.1');
      await once(silent, 'listening');
      try {
        const { port } = silent.address() as AddressInfo;
        const mute = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: `postgres://custody@127.0.0.1:${port}/custody` });
        expect(mute.status, mute.stderr).toBe(2);
        expect(mute.stderr).toContain(`DATABASE_URL: the database at postgres://custody@127.0.0.1:${port}/custody did not answer within 10 s`);
      } finally {
        silent.close();
      }

      const file = join(tmp, 'a-file');
      await writeFile(file, 'not a directory');
      const notDir = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: file });
      expect(notDir.status).toBe(2);
      expect(notDir.stderr).toContain(`CUSTODY_DATA_DIR=${JSON.stringify(file)}: is not a directory`);
      const exportsNotDir = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), CUSTODY_EXPORT_DIR: file });
      expect(exportsNotDir.status, exportsNotDir.stderr).toBe(2);
      expect(exportsNotDir.stderr).toContain(`CUSTODY_EXPORT_DIR=${JSON.stringify(file)}: is not a directory`);

      // A file system that takes no new directory (procfs): Node's own recursive mkdir never settled there.
      if (process.platform === 'linux') {
        const proc = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: '/proc/custody-test/data' });
        expect(proc.status, proc.stderr).toBe(2);
        expect(proc.stderr).toContain('CUSTODY_DATA_DIR="/proc/custody-test/data": cannot be created: the file system there takes no new directory (ENOENT)');
      }

      // A directory this user cannot write in (as root, the command runs as nobody).
      const locked = join(tmp, 'locked');
      await mkdir(locked, { mode: 0o755 });
      await chmod(tmp, 0o755);
      await chmod(locked, 0o555);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const unwritable = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: join(locked, 'data') }, asNobody);
      expect(unwritable.status, unwritable.stderr).toBe(2);
      expect(unwritable.stderr).toContain(`CUSTODY_DATA_DIR=${JSON.stringify(join(locked, 'data'))}: cannot be created or written by this user (EACCES)`);

      const host = custody(['serve'], { CUSTODY_DATA_DIR: freshDir(), HOST: 'no-such-host.invalid', PORT: '0' });
      expect(host.status).toBe(2);
      expect(host.stderr).toMatch(/HOST="no-such-host\.invalid": does not resolve \(getaddrinfo (ENOTFOUND|EAI_AGAIN)\)/);
    });

    it('migrate creates the data directory as serve does; check says there is no database yet, and creates nothing', async () => {
      const checked = freshDir();
      const check = custody(['check'], { CUSTODY_DATA_DIR: checked });
      expect(check.status).toBe(2);
      expect(check.stderr).toContain(`there is no database at ${join(checked, 'custody.db')} yet`);
      await expect(readdir(checked)).rejects.toThrow(/ENOENT/);

      // A database with no tables yet (an empty file here; a Postgres database just created alike): said so, not a
      // missing table's SQL error.
      const empty = freshDir();
      await mkdir(empty, { mode: 0o700 });
      await writeFile(join(empty, 'custody.db'), '', { mode: 0o600 });
      const unmigrated = custody(['check'], { CUSTODY_DATA_DIR: empty });
      expect(unmigrated.status, unmigrated.stderr).toBe(2);
      expect(unmigrated.stderr).toContain(`CUSTODY_DATA_DIR=${JSON.stringify(empty)}: holds no Custody database yet (custody serve or custody migrate creates it)`);

      const migrated = freshDir();
      const migrate = custody(['migrate'], { CUSTODY_DATA_DIR: migrated });
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(migrate.stdout).toContain('applied: 0001-initial');
      expect(custody(['check'], { CUSTODY_DATA_DIR: migrated }).status).toBe(0);
    });
  });

  describe('usage errors', () => {
    it('print the problem and a one-line hint, not the whole usage, with exit 2', () => {
      const dir = freshDir();
      for (const args of [['orgs'], ['orgs', 'delete'], ['frobnicate'], ['orgs', 'list', '--bogus']]) {
        const r = custody(args, { CUSTODY_DATA_DIR: dir });
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toContain('Run "custody --help"');
        expect(r.stderr).not.toContain('Commands:');
        expect(r.stderr.trim().split('\n')).toHaveLength(2);
      }
    });

    it('refuse options and arguments the command does not take, and an invalid --id', async () => {
      const dir = freshDir();
      const migrate = custody(['migrate', '--id', 'x'], { CUSTODY_DATA_DIR: dir });
      expect(migrate.status).toBe(2);
      expect(migrate.stderr).toContain('migrate does not take --id');
      const list = custody(['orgs', 'list', 'extra', 'args'], { CUSTODY_DATA_DIR: dir });
      expect(list.status).toBe(2);
      expect(list.stderr).toContain('orgs list takes no arguments: unexpected "extra" "args"');
      expect(custody(['keys', 'revoke', 'key_1', 'key_2'], { CUSTODY_DATA_DIR: dir }).status).toBe(2);
      expect(custody(['signing-key', 'rotate', '--json'], { CUSTODY_DATA_DIR: dir }).status).toBe(2);
      // Refused before anything is done: no data directory was created.
      await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
      const id = custody(['orgs', 'create', 'Acme', '--id', 'bad id!'], { CUSTODY_DATA_DIR: dir });
      expect(id.status).toBe(2);
      expect(id.stderr).toContain('--id "bad id!" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
      expect(id.stderr).toContain('Run "custody --help"');
    });
  });

  describe('signing-key', () => {
    it('show and rotate create no key where there is none', async () => {
      const dir = freshDir();
      for (const command of ['show', 'rotate']) {
        const r = custody(['signing-key', command], { CUSTODY_DATA_DIR: dir });
        expect(r.status, command).toBe(2);
        expect(r.stderr).toContain(`there is no signing key at ${join(dir, 'signing.key')} yet: custody signing-key create, or custody serve at its first start, creates it`);
        expect(r.stdout).toBe('');
      }
      await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    });

    it('create makes the first key, named after CUSTODY_LOG_NAME, that the servers then sign with; never over a key or for a database signed with another', async () => {
      const dir = freshDir();
      const env = { CUSTODY_DATA_DIR: dir, CUSTODY_LOG_NAME: 'audit.example.com' };
      const created = custody(['signing-key', 'create', '--json'], env);
      expect(created.status, created.stderr).toBe(0);
      const made = JSON.parse(created.stdout) as { file: string; vkey: string };
      expect(made.file).toBe(join(dir, 'signing.key'));
      expect(made.vkey).toMatch(/^audit\.example\.com\+[0-9a-f]{8}\+/);
      expect((await stat(made.file)).mode & 0o777).toBe(0o600);
      // The servers sign with it: show prints it, and an organization's checkpoints are signed by it.
      expect(custody(['signing-key', 'show'], env).stdout.split('\n')[0]).toBe(made.vkey);
      expect(custody(['orgs', 'create', 'Acme', '--id', 'acme'], env).status).toBe(0);
      const note = custody(['checkpoint', 'acme'], env);
      expect(note.status, note.stderr).toBe(0);
      expect(note.stdout).toContain(`\u2014 audit.example.com `);

      const again = custody(['signing-key', 'create'], env);
      expect(again.status).toBe(2);
      expect(again.stderr).toContain(`there is a signing key at ${made.file} already`);
      expect(custody(['signing-key', 'show'], env).stdout.split('\n')[0]).toBe(made.vkey);

      // The key file lost, the database signed with it: create refuses, as serve does (rotate is the deliberate way).
      await rm(made.file);
      const lost = custody(['signing-key', 'create'], env);
      expect(lost.status).toBe(2);
      expect(lost.stderr).toContain("there is no key file, but this database's checkpoints are signed by key audit.example.com+");
      expect(existsSync(made.file)).toBe(false);

      const withEnv = custody(['signing-key', 'create'], { ...env, CUSTODY_SIGNING_KEY: generateSigner('x').skey });
      expect(withEnv.status).toBe(2);
      expect(withEnv.stderr).toContain('CUSTODY_SIGNING_KEY is set');
    });

    it('show prints the key of CUSTODY_SIGNING_KEY, the one the servers sign with; rotate refuses and says how', async () => {
      const dir = freshDir();
      const { skey, vkey } = generateSigner('audit.example.com');
      const env = { CUSTODY_DATA_DIR: dir, CUSTODY_SIGNING_KEY: skey, CUSTODY_LOG_NAME: 'audit.example.com' };
      const show = custody(['signing-key', 'show'], env);
      expect(show.status, show.stderr).toBe(0);
      expect(show.stdout.split('\n')[0]).toBe(vkey);
      const json = JSON.parse(custody(['signing-key', 'show', '--json'], env).stdout) as { vkey: string };
      expect(json.vkey).toBe(vkey);
      const rotate = custody(['signing-key', 'rotate'], env);
      expect(rotate.status).toBe(2);
      expect(rotate.stderr).toContain('CUSTODY_SIGNING_KEY is set');
      expect(rotate.stderr).toContain('CUSTODY_SIGNING_KEY= CUSTODY_SIGNING_KEY_FILE=/secure/signing.key custody signing-key rotate');
      await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    });
  });

  describe('serve', () => {
    it('a first start that cannot listen creates no bootstrap key, so the next start creates and prints one', async () => {
      const dir = freshDir();
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      const port = (busy.address() as AddressInfo).port;
      let failed;
      try {
        failed = custody(['serve'], { CUSTODY_DATA_DIR: dir, PORT: String(port) });
      } finally {
        busy.close();
      }
      expect(failed.status).toBe(2);
      expect(failed.stderr).toContain(`PORT="${port}": port ${port} on 127.0.0.1 is already in use`);
      expect(failed.stderr + failed.stdout).not.toMatch(/custody_sk_/);

      const server = await serve({ CUSTODY_DATA_DIR: dir, LOG_LEVEL: 'info' });
      try {
        const key = bootstrapKeyIn(server.stderr());
        expect(key, server.stderr()).toMatch(/^custody_sk_/);
        expect((await trpc(server.url, key ?? '', 'organizations.create', { id: 'acme', name: 'Acme' })).status).toBe(200);
        // stdout holds JSON log lines only, and never the secret; the banner and the key are on stderr.
        const lines = server.stdout().trim().split('\n');
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
        expect(server.stdout()).not.toContain(key);
        expect(server.stdout()).toContain('created the bootstrap admin API key');
        expect(server.stderr()).toContain('A bootstrap admin API key was created');
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    it('a stalled client does not hold the shutdown: its connection is closed, the last checkpoint signed, exit 0', async () => {
      const dir = freshDir();
      // Checkpoints only at shutdown: the last one shows Custody closed.
      const server = await serve({ CUSTODY_DATA_DIR: dir, LOG_LEVEL: 'info', CUSTODY_SHUTDOWN_TIMEOUT_MS: '4000', CUSTODY_CHECKPOINT_INTERVAL_MS: '3600000' });
      const key = bootstrapKeyIn(server.stderr()) ?? '';
      expect((await trpc(server.url, key, 'organizations.create', { id: 'acme', name: 'Acme' })).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await trpc(server.url, key, 'events.create', { organizationId: 'acme', event: EVENT })).status).toBe(200);
      const stalled = stalledPost(server.url, key);
      try {
        await new Promise((r) => setTimeout(r, 1_000));
        const signalled = Date.now();
        server.child.kill('SIGTERM');
        const exit = await server.exited;
        expect(exit.code, server.stdout()).toBe(0);
        expect(Date.now() - signalled).toBeLessThan(4_000);
        expect(server.stdout()).toContain('closing their connections');
        expect(server.stdout()).toContain('"msg":"stopped"');
        expect(await sizes(dir, 'acme')).toEqual({ size: 3, checkpoint: 3 });
      } finally {
        stalled.close();
      }
    });

    it('a second signal during the shutdown closes the remaining connections at once', async () => {
      const dir = freshDir();
      const server = await serve({ CUSTODY_DATA_DIR: dir, LOG_LEVEL: 'info', CUSTODY_SHUTDOWN_TIMEOUT_MS: '120000', CUSTODY_CHECKPOINT_INTERVAL_MS: '3600000' });
      const key = bootstrapKeyIn(server.stderr()) ?? '';
      expect((await trpc(server.url, key, 'organizations.create', { id: 'acme', name: 'Acme' })).status).toBe(200);
      expect((await trpc(server.url, key, 'events.create', { organizationId: 'acme', event: EVENT })).status).toBe(200);
      const stalled = stalledPost(server.url, key);
      try {
        await new Promise((r) => setTimeout(r, 1_000));
        const signalled = Date.now();
        server.child.kill('SIGINT');
        await new Promise((r) => setTimeout(r, 500));
        server.child.kill('SIGINT');
        const exit = await server.exited;
        expect(exit.code, server.stdout()).toBe(0);
        // Well before half of the 120 s budget, when the connections would have been closed anyway.
        expect(Date.now() - signalled).toBeLessThan(30_000);
        expect(server.stdout()).toContain('SIGINT again while shutting down');
        expect(await sizes(dir, 'acme')).toEqual({ size: 1, checkpoint: 1 });
      } finally {
        stalled.close();
      }
    });
  });

  it('tail exits quietly with status 0 when its reader goes away (custody tail acme | head -1)', async () => {
    const { boot } = await import('../src/boot');
    const { loadConfig } = await import('../src/env');
    const dir = freshDir();
    const booted = await boot(loadConfig({ CUSTODY_DATA_DIR: dir }), { ingest: { writerThread: false }, queryThreads: false });
    await booted.custody.createOrganization({ id: 'acme', name: 'Acme' });
    await booted.custody.ingestor.ingest('acme', [EVENT, EVENT]);
    const child = spawn(process.execPath, [...CLI, 'tail', 'acme', '--from', '0'], {
      cwd: root,
      env: { ...process.env, CUSTODY_DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Read the first line, then close the pipe, as head -1 does; the next event makes tail write again.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      await booted.custody.ingestor.ingest('acme', [EVENT]);
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
      expect(code, err).toBe(0);
      expect(err).not.toMatch(/EPIPE|Error|\n\s+at /);
    } finally {
      child.kill('SIGKILL');
      await booted.custody.close();
    }
  });
});

// Postgres, where several processes share one database. (On SQLite, write transactions begin with the write lock, so
// they exclude each other already; and instances in one thread cannot wait for each other's lock.)
describe.skipIf(!DIALECTS.includes('postgres'))('postgres: the bootstrap admin key', () => {
  it('is created once by processes starting together on an empty database', async () => {
    const { boot, createBootstrapKey } = await import('../src/boot');
    const { loadConfig } = await import('../src/env');
    const dataDir = await mkdtemp(join(tmpdir(), 'custody-bootstrap-'));
    const db = await createTestDatabase('postgres');
    await db.close();
    // Several Custody instances on one database, each with a pool of its own, as several processes have.
    const config = loadConfig({ CUSTODY_DATA_DIR: dataDir, DATABASE_URL: db.url, CUSTODY_SIGNING_KEY: generateSigner('custody.localhost').skey });
    const instances = await Promise.all(Array.from({ length: 4 }, () => boot(config, { ingest: { writerThread: false }, queryThreads: false })));
    try {
      const created = await Promise.all(instances.map(({ custody }) => createBootstrapKey(custody)));
      expect(created.filter((c) => c !== null)).toHaveLength(1);
      const [first] = instances;
      if (first === undefined) throw new Error('no instance');
      expect(await first.custody.apiKeys.list()).toHaveLength(1);
      expect(await createBootstrapKey(first.custody)).toBeNull();
    } finally {
      await Promise.all(instances.map(({ custody }) => custody.close()));
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

// `check --full` on each database a server may run on: the statistics rollups recounted from the events.
for (const dialect of DIALECTS) {
  describe(`${dialect}: check --full and the statistics rollups`, { timeout: 300_000 }, () => {
    let dataDir: string;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let env: Record<string, string>;
    beforeAll(async () => {
      const { boot } = await import('../src/boot');
      const { loadConfig } = await import('../src/env');
      dataDir = await mkdtemp(join(tmpdir(), 'custody-check-'));
      db = await createTestDatabase(dialect, dialect === 'sqlite' ? { file: join(dataDir, 'custody.db') } : {});
      await db.close();
      if (dialect === 'sqlite') await chmod(join(dataDir, 'custody.db'), 0o600);
      env = { CUSTODY_DATA_DIR: dataDir, DATABASE_URL: db.url, CUSTODY_SIGNING_KEY: generateSigner('custody.localhost').skey };
      const { custody: live } = await boot(loadConfig(env), { ingest: { writerThread: false }, queryThreads: false });
      try {
        await live.signingKeys.activate(live.signingKey);
        await live.createOrganization({ id: 'acme', name: 'Acme' });
        // Times before 1970 (rounded down into their hour and day), several actions and actors.
        const times = ['1969-12-31T23:30:00Z', '1969-07-20T20:17:00Z', '1970-01-01T00:00:00Z', '2026-01-01T10:00:00Z'];
        await live.ingestor.ingest(
          'acme',
          Array.from({ length: 12 }, (_, i) => ({ ...EVENT, action: i % 2 === 0 ? 'user.signed_in' : 'document.deleted', occurred_at: times[i % 4], actor: { id: `u_${i % 3}`, type: 'user' } })),
        );
        await live.log.latestCheckpoint('acme', { fresh: true });
      } finally {
        await live.close();
      }
    });
    afterAll(async () => {
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('finds the counts equal to the events, then names one changed in place (exit 1, --json too)', async () => {
      const healthy = custody(['check', '--full'], env);
      expect(healthy.stderr).toContain('checking every log in the database against its latest signed checkpoint, from every event body and leaf, and its statistics rollups against its events');
      expect(healthy.stderr).toContain('acme: recounting the statistics rollups from 12 events');
      expect(healthy.stdout).toMatch(/^acme\t12 events\tcheckpoint at 12 verified, root [0-9a-f]{64}$/m);
      expect(healthy.status, healthy.stderr).toBe(0);

      // The hour of 1969-12-31T23:00Z holds three events (u_0, u_1 and u_2 signed in at 23:30): say four.
      const changed = await openDatabase({ url: db.url });
      try {
        await changed.db.updateTable('event_counts_hourly').set({ n: 4 }).where('organization_id', '=', 'acme').where('hour', '=', -3_600_000).where('action', '=', 'user.signed_in').execute();
      } finally {
        await changed.close();
      }
      const problem = 'the statistics rollups do not match the events: event_counts_hourly: 1 count differs (hour 1969-12-31T23:00:00.000Z action "user.signed_in": stored 4, recounted 3)';
      const check = custody(['check', '--full'], env);
      expect(check.stdout).toContain(`acme\t12 events\tDOES NOT CHECK OUT: ${problem}\n`);
      expect(check.stdout).toContain('NOT every log checks out');
      expect(check.status).toBe(1);
      const json = custody(['check', '--full', '--json'], env);
      expect(json.status).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, logs: [{ organizationId: 'acme', size: 12, checkpointSize: 12, problem }] });
      // The fast check reads the checkpoint's subtree hashes alone.
      expect(custody(['check'], env).status).toBe(0);
    });
  });
}
