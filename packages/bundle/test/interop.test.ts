/**
 * Independent tools: a bundle extracted with `unzip` passes `sha256sum -c` on both manifests from the bag root,
 * and a bag re-zipped with Info-ZIP `zip -r` still verifies (the verifier does not depend on our writer's layout).
 * Skipped where the tools are missing (CI installs `unzip` and `zip`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { memorySource, verifyBundle } from '../src/index';
import { SIGNER, buildBundle } from './fixtures';

const has = (tool: string): boolean => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const dir = mkdtempSync(join(tmpdir(), 'custody-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!has('unzip') || !has('sha256sum'))('a bundle and standard tools', () => {
  it('extracts with unzip and passes sha256sum -c on manifest-sha256.txt and tagmanifest-sha256.txt', async () => {
    const built = await buildBundle({ purged: [13] });
    const zipPath = join(dir, 'bundle.zip');
    writeFileSync(zipPath, built.bytes);
    execFileSync('unzip', ['-q', zipPath, '-d', join(dir, 'out')]);
    const bag = join(dir, 'out', built.bagName);
    const payload = execFileSync('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: bag }).toString();
    expect(payload).toContain('data/events.ndjson: OK');
    expect(payload).not.toContain('FAILED');
    expect(execFileSync('sha256sum', ['-c', 'tagmanifest-sha256.txt'], { cwd: bag }).toString()).toContain('bag-info.txt: OK');
    expect(readFileSync(join(bag, 'seal.txt'), 'utf8')).toContain('custody.evidence/v1 seal');
  });

  it.skipIf(!has('zip'))('still verifies after re-zipping the extracted bag with zip -r', async () => {
    const built = await buildBundle();
    const zipPath = join(dir, 'again.zip');
    writeFileSync(zipPath, built.bytes);
    const out = join(dir, 'again');
    execFileSync('unzip', ['-q', zipPath, '-d', out]);
    const rezipped = join(dir, 'rezipped.zip');
    execFileSync('zip', ['-q', '-r', '-X', rezipped, built.bagName], { cwd: out });
    const report = await verifyBundle(memorySource(readFileSync(rezipped)), { trustedKeys: [SIGNER.vkey] });
    expect(report.valid, JSON.stringify(report.checks.filter((c) => c.status !== 'valid'))).toBe(true);
  });
});
