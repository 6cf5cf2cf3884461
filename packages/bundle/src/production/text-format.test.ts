import { describe, expect, it } from 'vitest';

import { formatByteSize, formatInteger, shellQuote } from './text-format';

describe('formatInteger', () => {
  it('groups thousands with commas whatever the locale', () => {
    expect(formatInteger(0)).toBe('0');
    expect(formatInteger(999)).toBe('999');
    expect(formatInteger(1000)).toBe('1,000');
    expect(formatInteger(1_234_567)).toBe('1,234,567');
    expect(formatInteger(-1_000_000)).toBe('-1,000,000');
    expect(formatInteger(2n ** 64n)).toBe('18,446,744,073,709,551,616');
  });
});

describe('formatByteSize', () => {
  it('prints exact bytes and a binary unit', () => {
    expect(formatByteSize(1)).toBe('1 byte');
    expect(formatByteSize(512)).toBe('512 bytes');
    expect(formatByteSize(1536)).toBe('1,536 bytes (1.50 KiB)');
    expect(formatByteSize(1_234_567)).toBe('1,234,567 bytes (1.18 MiB)');
  });
});

describe('shellQuote', () => {
  describe('when the argument is plain', () => {
    it('leaves it alone', () => {
      expect(shellQuote('bundle-2026_11.zip')).toBe('bundle-2026_11.zip');
      expect(shellQuote('audit.example.com+0a1b2c3d+AbC/dE=')).toBe('audit.example.com+0a1b2c3d+AbC/dE=');
    });
  });

  describe('when it holds shell syntax', () => {
    it('single-quotes it', () => {
      expect(shellQuote('my bundle.zip')).toBe("'my bundle.zip'");
      expect(shellQuote("O'Brien.zip")).toBe("'O'\\''Brien.zip'");
      expect(shellQuote('$(rm -rf ~).zip')).toBe("'$(rm -rf ~).zip'");
      expect(shellQuote('-rf')).toBe("'-rf'");
      expect(shellQuote('')).toBe("''");
    });
  });
});
