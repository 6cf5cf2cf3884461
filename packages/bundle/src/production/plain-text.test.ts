import { describe, expect, it } from 'vitest';

import { plainTextValue, wrapText } from './plain-text';

describe('plainTextValue', () => {
  describe('when a value holds controls or bidirectional overrides', () => {
    it('makes each visible as <U+XXXX>', () => {
      expect(plainTextValue('a\u001b[31mb\r\n\u202e\u2066\u0085')).toBe('a<U+001B>[31mb<U+000D><U+000A><U+202E><U+2066><U+0085>');
      expect(plainTextValue('\u05e9\u05dc\u05d5\u05dd \ud83d\ude00 \u00e9')).toBe('\u05e9\u05dc\u05d5\u05dd \ud83d\ude00 \u00e9');
    });
  });
});

describe('wrapText', () => {
  describe('when a paragraph is longer than the width', () => {
    it('breaks at spaces and indents continuation lines', () => {
      expect(wrapText('aaa bbb ccc ddd', 7, '  ', '')).toBe('aaa bbb\n  ccc\n  ddd');
      expect(wrapText('one two', 78)).toBe('one two');
    });

    it('keeps a word longer than the width whole', () => {
      expect(wrapText(`x ${'y'.repeat(20)} z`, 10)).toBe(`x\n${'y'.repeat(20)}\nz`);
    });

    it('counts code points, not UTF-16 units', () => {
      expect(wrapText('\ud83d\ude00\ud83d\ude00 \ud83d\ude00', 4)).toBe('\ud83d\ude00\ud83d\ude00 \ud83d\ude00');
    });
  });
});
