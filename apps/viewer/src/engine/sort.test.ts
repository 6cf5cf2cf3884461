import { describe, expect, it } from 'vitest';

import { extendTimeOrder, sortByTime, type TimeKeys } from './sort';
import { seededRandom as random } from './test/random';

/** `n` rows from `bundles` bundles, loaded interleaved; times drawn from a few values (ties) or rising, with NaNs. */
function makeKeys(seed: number, n: number, bundles: number, shape: 'rising' | 'ties' | 'shuffled'): { keys: TimeKeys; seqSorted: boolean } {
  const next = random(seed);
  const time = new Float64Array(n);
  const bundle = new Uint16Array(n);
  const seq = new Float64Array(n);
  const lastSeq = new Array<number>(bundles).fill(-1);
  let seqSorted = true;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(next() * bundles);
    bundle[i] = b;
    const s = next() < 0.05 ? Math.floor(next() * (lastSeq[b] as number + 2)) : (lastSeq[b] as number) + 1;
    if (!(s > (lastSeq[b] as number))) seqSorted = false;
    lastSeq[b] = Math.max(lastSeq[b] as number, s);
    seq[i] = next() < 0.01 ? Number.NaN : s;
    if (Number.isNaN(seq[i])) seqSorted = false;
    time[i] = next() < 0.02 ? Number.NaN
      : shape === 'rising' ? 1_700_000_000_000 + i * 250
      : shape === 'ties' ? 1_700_000_000_000 + Math.floor(next() * 5) * 1000
      : -5_000 + Math.floor(next() * 2 ** 40);
  }
  return { keys: { time, bundle, seq }, seqSorted };
}

/** The order by definition: time, bundle, seq (NaN after numbers), then row id. */
function reference(n: number, { time, bundle, seq }: TimeKeys): number[] {
  const cmp = (x: number, y: number): number => (Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : x - y);
  return Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    cmp(time[a] as number, time[b] as number) || (bundle[a] as number) - (bundle[b] as number) || cmp(seq[a] as number, seq[b] as number) || a - b);
}

const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

describe('time order', () => {
  it.each([
    [1, 1, 'rising'], [2, 1, 'ties'], [3, 1, 'shuffled'], [4, 3, 'rising'], [5, 3, 'ties'], [6, 3, 'shuffled'],
  ] as const)('seed %i, %i bundle(s), %s times: sorted by time, bundle, seq, then row', (seed, bundles, shape) => {
    const n = 3000;
    const { keys } = makeKeys(seed, n, bundles, shape);
    // seqSorted false is always right; true only when each bundle's seqs ascend (checked by the next test).
    expect([...sortByTime(all(n), keys, bundles, false)]).toEqual(reference(n, keys));
  });

  it('the seq pass may be skipped when every bundle ascends', () => {
    const n = 3000;
    const time = Float64Array.from({ length: n }, (_, i) => 1000 + Math.floor(i / 7));
    const bundle = Uint16Array.from({ length: n }, (_, i) => i % 3);
    const seq = Float64Array.from({ length: n }, (_, i) => i);
    const keys = { time, bundle, seq };
    expect([...sortByTime(all(n), keys, 3, true)]).toEqual(reference(n, keys));
    let order: Int32Array = new Int32Array(0);
    for (const size of [10, 11, 500, 2999, 3000]) order = extendTimeOrder(order, size, keys, 3, true).order;
    expect([...order]).toEqual(reference(n, keys));
  });

  it.each([
    [11, 1, 'rising'], [12, 1, 'ties'], [13, 1, 'shuffled'], [14, 4, 'rising'], [15, 4, 'ties'], [16, 4, 'shuffled'],
  ] as const)('seed %i, %i bundle(s), %s times: extended refresh by refresh, the same order as sorting all rows', (seed, bundles, shape) => {
    const n = 5000;
    const { keys, seqSorted } = makeKeys(seed, n, bundles, shape);
    let order: Int32Array = new Int32Array(0);
    let appended = 0;
    for (const size of [1, 2, 40, 41, 700, 1500, 3333, 5000]) {
      const next = extendTimeOrder(order, size, keys, bundles, false);
      expect([...next.order.subarray(0, next.kept)], `kept at ${size} rows`).toEqual([...order.subarray(0, next.kept)]);
      if (next.kept === order.length) appended++;
      order = next.order;
      expect([...order], `after ${size} rows`).toEqual(reference(size, keys));
    }
    // Rising times from one bundle append at every refresh; shuffled ones must merge.
    if (shape === 'rising' && bundles === 1) expect(appended).toBeGreaterThan(4);
    if (shape === 'shuffled') expect(appended).toBeLessThan(3);
    expect(seqSorted).toBe(false);
  });
});
