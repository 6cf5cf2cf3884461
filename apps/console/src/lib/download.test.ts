import { describe, expect, it } from 'vitest';

import { fileNameOf, formatBytes } from './download';

describe('fileNameOf', () => {
  it('reads the name the server sends, quoted or not, and the UTF-8 form first', () => {
    expect(fileNameOf('attachment; filename="exp_1.zip"')).toBe('exp_1.zip');
    expect(fileNameOf('attachment; filename=exp_1.csv')).toBe('exp_1.csv');
    expect(fileNameOf(`attachment; filename="a.zip"; filename*=UTF-8''Doe%20v.%20Acme.zip`)).toBe('Doe v. Acme.zip');
  });

  it('keeps only the last path segment, and gives null when there is no name', () => {
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileNameOf('attachment')).toBeNull();
    expect(fileNameOf(null)).toBeNull();
  });
});

describe('formatBytes', () => {
  it('uses the largest unit below the size', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(15_360)).toBe('15 KB');
    expect(formatBytes(1_258_291)).toBe('1.2 MB');
  });
});
