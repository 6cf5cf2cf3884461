import { describe, expect, it } from 'vitest';

import { createChunkEncoder, encodeUtf8 } from './chunk-encoder';
import { encodeCp1252 } from './cp1252';
import { ProductionError } from './production-error';

describe('createChunkEncoder', () => {
  describe('when text is pushed', () => {
    it('emits a chunk once chunkChars are buffered and the rest on flush', () => {
      const chunks = createChunkEncoder(encodeUtf8, { chunkChars: 5 });
      expect(chunks.push('ab')).toBeUndefined();
      expect(new TextDecoder().decode(chunks.push('c\u00e9d'))).toBe('abc\u00e9d');
      expect(chunks.push('x')).toBeUndefined();
      expect(new TextDecoder().decode(chunks.flush())).toBe('x');
      expect(chunks.flush()).toBeUndefined();
    });

    it('never splits a surrogate pair across chunks (whole rows are encoded)', () => {
      const chunks = createChunkEncoder(encodeUtf8, { chunkChars: 1 });
      expect(new TextDecoder('utf-8', { fatal: true }).decode(chunks.push('\ud83d\ude00'))).toBe('\ud83d\ude00');
    });

    it('uses the given encoder', () => {
      const chunks = createChunkEncoder((text) => encodeCp1252(text), { chunkChars: 1 });
      expect(Array.from(chunks.push('\u20ac') ?? [])).toEqual([0x80]);
    });
  });

  describe('when misconfigured', () => {
    it('rejects a bad chunk size or encoder', () => {
      expect(() => createChunkEncoder(encodeUtf8, { chunkChars: 0 })).toThrow(ProductionError);
      expect(() => createChunkEncoder(undefined as unknown as typeof encodeUtf8)).toThrow(ProductionError);
    });
  });
});
