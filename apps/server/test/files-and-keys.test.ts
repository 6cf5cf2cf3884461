/**
 * What the server keeps on disk, on real processes and real files: the data directory and the SQLite database are
 * its owner's alone (and an existing install open to others is warned about, not changed), and the signing key
 * file is refused cleanly when it is missing for a database that signed with it, unreadable, or a directory.
 */
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import Database from 'better-sqlite3';

import { createTestDatabase, DIALECTS } from '@custody/db/testing';
import { generateSigner } from '@custody/ledger';

import { EVENT } from './helpers';
import { startServerProcess } from './process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One `custody` command, run to its end (under this process's umask, 022 here). */
function custody(args: string[], env: Record<string, string>, options: { uid?: number; gid?: number } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', CUSTODY_SIGNING_KEY: '', CUSTODY_SIGNING_KEY_FILE: '', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
    ...options,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('files and keys', { timeout: 300_000 }, () => {
  let tmp: string;
  let umask: number;
  let n = 0;
  const freshDir = () => join(tmp, `data-${++n}`);
  beforeAll(async () => {
    umask = process.umask(0o022);
    tmp = await mkdtemp(join(tmpdir(), 'custody-files-'));
    await chmod(tmp, 0o755); // so that a command run as another user reaches what is inside
  });
  afterAll(async () => {
    process.umask(umask);
    await rm(tmp, { recursive: true, force: true });
  });

  describe('the data directory and the SQLite database', () => {
    it('are created readable by their owner alone under umask 022, the -wal and -shm files too', async () => {
      const dir = freshDir();
      const migrate = custody(['migrate'], { CUSTODY_DATA_DIR: dir });
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(migrate.stderr).toBe('');
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, 'custody.db'))).toBe(0o600);

      const server = await startServerProcess({ CUSTODY_DATA_DIR: dir, DATABASE_URL: '', CUSTODY_SIGNING_KEY: '', CUSTODY_SIGNING_KEY_FILE: '' });
      try {
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.bootstrapKey ?? ''}` };
        const post = (path: string, input: unknown) => fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) });
        expect((await post('organizations.create', { id: 'acme', name: 'Acme' })).status).toBe(200);
        expect((await post('events.create', { organizationId: 'acme', event: EVENT })).status).toBe(200);
        for (const file of ['custody.db', 'custody.db-wal', 'custody.db-shm', 'signing.key']) expect(mode(join(dir, file)), file).toBe(0o600);
        expect(server.output()).not.toContain('open to other local users');
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    it('a database at a DATABASE_URL of its own is created 0600 in a directory that is 0755', async () => {
      const elsewhere = join(tmp, 'elsewhere');
      await mkdir(elsewhere, { mode: 0o755 });
      const file = join(elsewhere, 'audit.db');
      const r = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: `sqlite:${file}` });
      expect(r.status, r.stderr).toBe(0);
      expect(mode(file)).toBe(0o600);
    });

    it('that exist open to others are warned about once, with each mode and the chmod to run, and left as they are', async () => {
      const dir = freshDir();
      expect(custody(['orgs', 'create', 'Acme', '--id', 'acme'], { CUSTODY_DATA_DIR: dir }).status).toBe(0);
      expect(custody(['checkpoint', 'acme'], { CUSTODY_DATA_DIR: dir }).status).toBe(0); // publishes the key, for check
      const db = join(dir, 'custody.db');
      await chmod(db, 0o644);
      await chmod(dir, 0o755);

      // `check` opens the database twice: still one warning.
      for (const args of [['orgs', 'list'], ['check']]) {
        const r = custody(args, { CUSTODY_DATA_DIR: dir });
        expect(r.status, r.stderr).toBe(0);
        const warnings = r.stderr.split('\n').filter((line) => line.includes('open to other local users'));
        expect(warnings, r.stderr).toEqual([
          `custody: warning: the data directory ${dir} (mode 755), ${db} (mode 644) are open to other local users, and the database holds every event and the API key hashes: run chmod 700 ${dir} && chmod 600 ${db} (Custody does not change the mode of an existing file or directory)`,
        ]);
      }
      expect(mode(dir)).toBe(0o755);
      expect(mode(db)).toBe(0o644);

      // `serve` says it in its log (stdout, JSON lines), once.
      const server = await startServerProcess({ CUSTODY_DATA_DIR: dir, DATABASE_URL: '', CUSTODY_SIGNING_KEY: '', CUSTODY_SIGNING_KEY_FILE: '' });
      try {
        const lines = server.output().split('\n').filter((line) => line.includes('open to other local users'));
        expect(lines).toHaveLength(1);
        const logged = JSON.parse(lines[0] ?? '') as { level: number; msg: string };
        expect(logged.level).toBe(40);
        expect(logged.msg).toContain(`run chmod 700 ${dir} && chmod 600 ${db}`);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      expect(mode(db)).toBe(0o644);

      await chmod(dir, 0o700);
      await chmod(db, 0o600);
      await chmod(`${db}-wal`, 0o600).catch(() => undefined);
      await chmod(`${db}-shm`, 0o600).catch(() => undefined);
      expect(custody(['orgs', 'list'], { CUSTODY_DATA_DIR: dir }).stderr).toBe('');
    });
  });

  describe('a missing signing key file', () => {
    /** A data directory whose database has signed checkpoints with the key now in `key`. */
    async function signedDatabase(): Promise<{ dir: string; key: string; keyId: string }> {
      const dir = freshDir();
      expect(custody(['orgs', 'create', 'Acme', '--id', 'acme'], { CUSTODY_DATA_DIR: dir }).status).toBe(0);
      const checkpoint = custody(['checkpoint', 'acme'], { CUSTODY_DATA_DIR: dir });
      expect(checkpoint.status, checkpoint.stderr).toBe(0);
      const show = JSON.parse(custody(['signing-key', 'show', '--json'], { CUSTODY_DATA_DIR: dir }).stdout) as { keyId: string };
      const key = join(tmp, `key-${n}`);
      await rename(join(dir, 'signing.key'), key);
      return { dir, key, keyId: show.keyId };
    }

    it('is refused, with exit 2, when the database has signed with a key: no new key is made, no migration applied', async () => {
      const { dir, key, keyId } = await signedDatabase();
      // As if the database were of the version before the last migration: the refused start must leave it so.
      const recorded = () => {
        const sqlite = new Database(join(dir, 'custody.db'));
        try {
          return (sqlite.prepare('SELECT name FROM kysely_migration').all() as { name: string }[]).map((r) => r.name);
        } finally {
          sqlite.close();
        }
      };
      const last = recorded().sort().at(-1);
      const sqlite = new Database(join(dir, 'custody.db'));
      sqlite.prepare('DELETE FROM kysely_migration WHERE name = ?').run(last);
      sqlite.close();
      expect(recorded()).not.toContain(last);
      const mount = join(tmp, `mount-${n}`);
      const named = custody(['serve'], { CUSTODY_DATA_DIR: dir, CUSTODY_SIGNING_KEY_FILE: join(mount, 'signing.key'), PORT: '0' });
      expect(named.status, named.stderr).toBe(2);
      expect(recorded()).not.toContain(last);
      expect(named.stderr.trim().split('\n')).toHaveLength(1);
      expect(named.stderr).toContain(`custody: CUSTODY_SIGNING_KEY_FILE=${JSON.stringify(join(mount, 'signing.key'))}: there is no key file, but this database's checkpoints are signed by key custody.localhost+${keyId} (fingerprint `);
      expect(named.stderr).toContain('restore that key file');
      expect(named.stderr).toContain('custody signing-key rotate');
      await expect(stat(mount)).rejects.toThrow(/ENOENT/);

      // The default path, in the data directory: the same, for serve and for the commands that sign or show.
      for (const args of [['serve'], ['checkpoint', 'acme'], ['signing-key', 'list'], ['signing-key', 'show']]) {
        const r = custody(args, { CUSTODY_DATA_DIR: dir, PORT: '0' });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`custody: CUSTODY_SIGNING_KEY_FILE (unset: the default ${JSON.stringify(join(dir, 'signing.key'))}): there is no key file, but this database's checkpoints are signed by key custody.localhost+${keyId}`);
      }
      await expect(stat(join(dir, 'signing.key'))).rejects.toThrow(/ENOENT/);

      // The key given in CUSTODY_SIGNING_KEY instead works as before, and so does the key file put back.
      const inline = custody(['signing-key', 'list', '--json'], { CUSTODY_DATA_DIR: dir, CUSTODY_SIGNING_KEY: (await readFile(key, 'utf8')).trim() });
      expect(inline.status, inline.stderr).toBe(0);
      expect(JSON.parse(inline.stdout)).toHaveLength(1);
      await rename(key, join(dir, 'signing.key'));
      const restored = custody(['checkpoint', 'acme'], { CUSTODY_DATA_DIR: dir });
      expect(restored.status, restored.stderr).toBe(0);
    });

    it('lost for good is replaced deliberately by signing-key rotate, the lost key staying published', async () => {
      const { dir, keyId } = await signedDatabase();
      const rotate = custody(['signing-key', 'rotate'], { CUSTODY_DATA_DIR: dir });
      expect(rotate.status, rotate.stderr).toBe(0);
      expect(rotate.stdout).toContain(`lost    custody.localhost+${keyId}`);
      expect(mode(join(dir, 'signing.key'))).toBe(0o600);
      const listed = custody(['signing-key', 'list', '--json'], { CUSTODY_DATA_DIR: dir });
      expect(listed.status, listed.stderr).toBe(0);
      const keys = JSON.parse(listed.stdout) as { keyId: string; retiredAt: string | null }[];
      expect(keys.map((k) => [k.keyId === keyId, k.retiredAt === null])).toEqual([
        [false, true],
        [true, false],
      ]);
    });
  });

  describe.skipIf(!DIALECTS.includes('postgres'))('postgres: a missing signing key file', () => {
    it('is refused when the database has signed with a key, as on SQLite', async () => {
      const db = await createTestDatabase('postgres');
      await db.close();
      try {
        const first = { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: db.url };
        expect(custody(['orgs', 'create', 'Acme', '--id', 'acme'], first).status).toBe(0);
        expect(custody(['checkpoint', 'acme'], first).status).toBe(0);
        // Another process on the same database whose key mount failed.
        const other = custody(['serve'], { CUSTODY_DATA_DIR: freshDir(), DATABASE_URL: db.url, CUSTODY_SIGNING_KEY_FILE: join(tmp, 'no-mount', 'signing.key'), PORT: '0' });
        expect(other.status, other.stderr).toBe(2);
        expect(other.stderr).toContain("there is no key file, but this database's checkpoints are signed by key custody.localhost+");
      } finally {
        await db.destroy().catch(() => undefined);
      }
    });
  });

  describe('a signing key file that cannot be used', () => {
    it('unreadable: exit 2, naming the variable and saying permission denied', async () => {
      // As root the command runs as nobody, who can neither enter the key's directory nor read the file.
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const dir = freshDir();
      await mkdir(dir, { mode: 0o700 });
      if (process.getuid?.() === 0) await chown(dir, 65534, 65534);
      const locked = join(tmp, 'locked');
      await mkdir(locked, { mode: 0o700 });
      const inLocked = join(locked, 'signing.key');
      const unreadable = join(tmp, 'unreadable.key');
      await writeFile(inLocked, `${generateSigner('custody.localhost').skey}\n`, { mode: 0o600 });
      await writeFile(unreadable, `${generateSigner('custody.localhost').skey}\n`, { mode: 0o600 });
      if (process.getuid?.() !== 0) {
        await chmod(locked, 0o000);
        await chmod(unreadable, 0o000);
      }
      try {
        for (const file of [inLocked, unreadable]) {
          const r = custody(['serve'], { CUSTODY_DATA_DIR: dir, CUSTODY_SIGNING_KEY_FILE: file, PORT: '0' }, asNobody);
          expect(r.status, r.stderr).toBe(2);
          expect(r.stderr.trim().split('\n')).toHaveLength(1);
          expect(r.stderr).toContain(`custody: CUSTODY_SIGNING_KEY_FILE=${JSON.stringify(file)}: cannot be read: permission denied (EACCES)`);
        }
      } finally {
        await chmod(locked, 0o700);
      }
    });

    it('a directory: says it is a directory', async () => {
      const keyDir = join(tmp, 'key-dir');
      await mkdir(keyDir, { mode: 0o755 });
      for (const args of [['serve'], ['signing-key', 'show']]) {
        const r = custody(args, { CUSTODY_DATA_DIR: freshDir(), CUSTODY_SIGNING_KEY_FILE: keyDir, PORT: '0' });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toBe(`custody: CUSTODY_SIGNING_KEY_FILE=${JSON.stringify(keyDir)}: is a directory, not a key file\n`);
      }
    });
  });
});
