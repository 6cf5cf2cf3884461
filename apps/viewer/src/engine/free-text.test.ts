import { MAX_SEARCH_WORD_LENGTH, searchWords } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { FreeText } from './free-text';
import { seededRandom } from './test/random';

const enc = new TextEncoder();

function build(values: readonly (string | undefined)[]): FreeText {
  const text = new FreeText();
  values.forEach((value, row) => {
    if (value === undefined) return;
    const bytes = enc.encode(value);
    text.add(row, bytes, 0, bytes.length);
  });
  return text;
}

function marked(text: FreeText, word: string, prefix: boolean, n: number): number[] {
  const mask = new Uint8Array(n);
  text.markWord(word, prefix, n, mask);
  return [...mask.keys()].filter((row) => mask[row] === 1);
}

/** The server's rule, on strings. */
function reference(values: readonly (string | undefined)[], word: string, prefix: boolean, n: number): number[] {
  const rows: number[] = [];
  values.forEach((value, row) => {
    if (value === undefined || row >= n) return;
    if (searchWords(value).some((w) => (prefix ? w.startsWith(word) : w === word))) rows.push(row);
  });
  return rows;
}

describe('FreeText', () => {
  const values = ['req_1F2e', 'sess_17_99', undefined, 'REQ-ab', 'x1f', 'sess-Ünï-7', '1f'];

  it('finds whole words, case-insensitively, and prefixes only when asked', () => {
    const text = build(values);
    expect(marked(text, 'req', false, values.length)).toEqual([0, 3]);
    expect(marked(text, '1f', false, values.length)).toEqual([6]);
    expect(marked(text, '1f', true, values.length)).toEqual([0, 6]);
    expect(marked(text, '1f2e', false, values.length)).toEqual([0]);
    expect(marked(text, 'ab', false, values.length)).toEqual([3]);
    expect(marked(text, 'sess', false, values.length)).toEqual([1, 5]);
  });

  it('reads values beyond ASCII by the server rule', () => {
    const text = build(values);
    expect(marked(text, 'ünï', false, values.length)).toEqual([5]);
    expect(marked(text, 'ün', true, values.length)).toEqual([5]);
    expect(marked(text, '7', false, values.length)).toEqual([5]);
  });

  it('never joins the end of one value to the start of the next, and leaves rows past n alone', () => {
    const text = build(['ab', 'cd']);
    expect(marked(text, 'abcd', false, 2)).toEqual([]);
    expect(marked(text, 'bc', true, 2)).toEqual([]);
    expect(marked(text, 'cd', false, 1)).toEqual([]);
  });

  it('matches a word cut at 100 characters as the server indexes it', () => {
    const long = 'a'.repeat(150);
    const text = build([long, 'a'.repeat(99)]);
    expect(marked(text, 'a'.repeat(MAX_SEARCH_WORD_LENGTH), false, 2)).toEqual([0]);
    expect(marked(text, 'a'.repeat(99), false, 2)).toEqual([1]);
    expect(marked(text, 'a'.repeat(99), true, 2)).toEqual([0, 1]);
  });

  it('agrees with the server rule on random values and words', () => {
    const next = seededRandom(7);
    const random = (k: number): number => Math.floor(next() * k);
    const alphabet = ['a', 'b', 'B', '1', '2', '_', '-', ' ', '.', 'é', 'É', 'ß', 'z'];
    const valuesR = Array.from({ length: 400 }, () =>
      random(10) === 0 ? undefined : Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]).join(''));
    const text = build(valuesR);
    const words = new Set<string>(['a', 'b', '1', 'ab', 'ba', 'é', 'zz', 'b1', 'ss']);
    for (const value of valuesR) for (const w of searchWords(value ?? '')) words.add(w);
    let checked = 0;
    for (const word of words) {
      for (const prefix of [false, true]) {
        for (const n of [valuesR.length, 200]) {
          expect(marked(text, word, prefix, n), `${word}${prefix ? '*' : ''} below ${n}`).toEqual(reference(valuesR, word, prefix, n));
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
