import { describe, expect, it } from 'vitest';

import { bundlePathsFromArgv } from './command-line';

describe('bundlePathsFromArgv', () => {
  it('takes .zip arguments after the executable, resolved against the launch folder', () => {
    expect(bundlePathsFromArgv(['/opt/viewer/custody-viewer', 'case.zip', '/mnt/b/OTHER.ZIP'], '/home/x', 1)).toEqual(['/home/x/case.zip', '/mnt/b/OTHER.ZIP']);
  });

  it('skips options, Chromium switches, the app path of an unpackaged run, other files and duplicates', () => {
    const argv = ['/usr/bin/electron', '/src/viewer', '--no-sandbox', '--allow-file-access-from-files', 'notes.txt', 'a.zip', './a.zip', '-x'];
    expect(bundlePathsFromArgv(argv, '/cases', 2)).toEqual(['/cases/a.zip']);
  });
});
