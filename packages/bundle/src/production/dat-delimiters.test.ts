import { describe, expect, it } from 'vitest';

import { DEFAULT_DAT_DELIMITERS, describeDatDelimiters, resolveDatDelimiters } from './dat-delimiters';
import { ProductionError } from './production-error';

describe('resolveDatDelimiters', () => {
  describe('when nothing is given', () => {
    it('returns the Relativity defaults', () => {
      expect(resolveDatDelimiters()).toEqual({ field: '\u0014', quote: '\u00fe', newline: '\u00ae', multiValue: ';', nestedValue: '\\' });
      expect(Object.isFrozen(DEFAULT_DAT_DELIMITERS)).toBe(true);
    });
  });

  describe('when some are given', () => {
    it('fills in the rest and ignores undefined entries', () => {
      expect(resolveDatDelimiters({ field: '|', quote: undefined })).toEqual({ ...DEFAULT_DAT_DELIMITERS, field: '|' });
    });

    it('rejects a non-object with INVALID_DELIMITERS', () => {
      expect(() => resolveDatDelimiters(null as never)).toThrow(ProductionError);
    });
  });
});

describe('describeDatDelimiters', () => {
  describe('when given the defaults', () => {
    it('names each by code point for the cover letter', () => {
      expect(describeDatDelimiters(DEFAULT_DAT_DELIMITERS)).toEqual({
        field: 'U+0014 (ASCII 20, shown as \u00b6)',
        quote: 'U+00FE (\u00fe)',
        newline: 'U+00AE (\u00ae)',
        multiValue: 'U+003B (;)',
        nestedValue: 'U+005C (\\)',
      });
    });
  });

  describe('when a delimiter is another control character', () => {
    it('prints only its code point', () => {
      expect(describeDatDelimiters({ ...DEFAULT_DAT_DELIMITERS, field: '\t' }).field).toBe('U+0009');
    });
  });
});
