import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCheckpoint } from '@custody/ledger';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the custody CLI', () => {
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
    expect(custody(['keys', 'revoke', created.key.id]).stdout).toContain('revoked');
    expect(custody(['keys', 'create', '--name', 'x', '--scopes', 'root']).stderr).toContain('unknown scope "root"');
  });

  it('signs and prints a checkpoint that opens with the published key', () => {
    const note = custody(['checkpoint', 'acme']).stdout;
    const vkey = custody(['signing-key', 'show']).stdout.split('\n')[0] ?? '';
    expect(openCheckpoint(note, [vkey]).origin).toBe('custody.localhost/acme');
    expect(custody(['checkpoint', 'nope']).status).toBe(1);
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
    const note = custody(['checkpoint', 'acme']).stdout;
    expect(() => openCheckpoint(note, [before])).not.toThrow();
  });
});
