/**
 * What the server keeps on disk, on real processes and real files: the data directory and the SQLite database are
 * its owner's alone (and an existing install open to others is warned about, not changed).
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
});
