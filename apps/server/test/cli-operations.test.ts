/**
 * The custody command as an operator meets it, on real processes: its settings and what they point at, and the
 * signing key commands.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateSigner } from '@custody/ledger';

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

      const file = join(tmp, 'a-file');
      await writeFile(file, 'not a directory');
      const notDir = custody(['orgs', 'list'], { CUSTODY_DATA_DIR: file });
      expect(notDir.status).toBe(2);
      expect(notDir.stderr).toContain(`CUSTODY_DATA_DIR=${JSON.stringify(file)}: is not a directory`);

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

      const migrated = freshDir();
      const migrate = custody(['migrate'], { CUSTODY_DATA_DIR: migrated });
      expect(migrate.status, migrate.stderr).toBe(0);
      expect(migrate.stdout).toContain('applied: 0001-initial');
      expect(custody(['check'], { CUSTODY_DATA_DIR: migrated }).status).toBe(0);
    });
  });

  describe('signing-key', () => {
    it('show and rotate create no key where there is none', async () => {
      const dir = freshDir();
      for (const command of ['show', 'rotate']) {
        const r = custody(['signing-key', command], { CUSTODY_DATA_DIR: dir });
        expect(r.status, command).toBe(2);
        expect(r.stderr).toContain(`there is no signing key at ${join(dir, 'signing.key')} yet: custody serve creates it at its first start`);
        expect(r.stdout).toBe('');
      }
      await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
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
});
