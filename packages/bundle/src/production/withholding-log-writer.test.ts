import { describe, expect, it } from 'vitest';

import { ProductionError } from './production-error';
import { WITHHOLDING_LOG_COLUMNS, createWithholdingLogWriter } from './withholding-log-writer';
import type { TWithheldLeaf } from './withholding-log-writer';

const HASH = new Uint8Array(32).fill(2);
const HASH_B64 = 'AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=';

describe('createWithholdingLogWriter', () => {
  describe('when writing filtered-out and purged leaves', () => {
    it('produces these exact bytes', () => {
      const log = createWithholdingLogWriter();
      const text =
        log.header() +
        log.row({ seq: 10, leafHash: HASH, reason: 'filtered_out', policy: 'outside the agreed filter (actor user:u_1)' }) +
        log.row({ seq: 11n, leafHash: HASH_B64, reason: 'purged', purgedAt: '2027-01-01T00:00:00.000Z', policy: 'retention, 400 days' }) +
        log.row({ seq: 12, leafHash: HASH, reason: 'purged' });
      expect(text).toBe(
        'SEQ,LEAF_HASH,REASON,PURGED_AT,POLICY\r\n' +
          `10,${HASH_B64},filtered out,,outside the agreed filter (actor user:u_1)\r\n` +
          `11,${HASH_B64},purged by retention,2027-01-01T00:00:00.000Z,"retention, 400 days"\r\n` +
          `12,${HASH_B64},purged by retention,,\r\n`,
      );
      expect(log.counts).toEqual({ filtered_out: 1, purged: 2 });
      expect(log.columns).toEqual(WITHHOLDING_LOG_COLUMNS);
    });
  });

  describe('when a policy name looks like a formula', () => {
    it('guards it by default and not when disabled', () => {
      const leaf: TWithheldLeaf = { seq: 1, leafHash: HASH, reason: 'filtered_out', policy: '=cmd()' };
      expect(createWithholdingLogWriter().row(leaf)).toBe(`1,${HASH_B64},filtered out,,'=cmd()\r\n`);
      expect(createWithholdingLogWriter({ formulaGuard: false }).row(leaf)).toBe(`1,${HASH_B64},filtered out,,=cmd()\r\n`);
    });

    it('writes a BOM when asked', () => {
      expect(createWithholdingLogWriter({ bom: true }).header()).toBe('\ufeffSEQ,LEAF_HASH,REASON,PURGED_AT,POLICY\r\n');
    });
  });

  describe('when a leaf is invalid', () => {
    it.each([
      ['an unknown reason', { seq: 1, leafHash: HASH, reason: 'privileged' }],
      ['a negative seq', { seq: -1, leafHash: HASH, reason: 'purged' }],
      ['a fractional seq', { seq: 1.5, leafHash: HASH, reason: 'purged' }],
      ['a short hash', { seq: 1, leafHash: new Uint8Array(8), reason: 'purged' }],
      ['a non-canonical purge time', { seq: 1, leafHash: HASH, reason: 'purged', purgedAt: '2027-01-01T01:00:00+01:00' }],
      ['a purge time on a filtered leaf', { seq: 1, leafHash: HASH, reason: 'filtered_out', purgedAt: '2027-01-01T00:00:00.000Z' }],
      ['a non-string policy', { seq: 1, leafHash: HASH, reason: 'purged', policy: 7 }],
      ['null', null],
    ])('rejects %s with INVALID_ARGUMENT and counts nothing', (_, leaf) => {
      const log = createWithholdingLogWriter();
      try {
        log.row(leaf as unknown as TWithheldLeaf);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProductionError);
        expect((error as ProductionError).code).toBe('INVALID_ARGUMENT');
      }
      expect(log.counts).toEqual({ filtered_out: 0, purged: 0 });
    });
  });
});
