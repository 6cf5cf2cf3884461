import { parseIpAddress } from '@custody/schema';
import { describe, expect, it } from 'vitest';

import { ipWords } from './ip';
import { seededRandom as random } from './test/random';

/** The words by the schema's parser, the rules of record, or undefined where it refuses the text. */
function schemaWords(text: string): number[] | undefined {
  let bytes: Uint8Array;
  try {
    const parsed = parseIpAddress(text);
    bytes = parsed.version === 6 ? parsed.bytes : Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...parsed.bytes);
  } catch {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [0, 1, 2, 3].map((w) => view.getUint32(4 * w));
}

function ourWords(text: string): number[] | undefined {
  const out = new Uint32Array(4);
  return ipWords(text, out, 0) ? [...out] : undefined;
}

/** An IPv6 address in one of its many spellings: case, leading zeros, one run of zero groups compressed or not. */
function spelled(next: () => number): string {
  const groups = Array.from({ length: 8 }, () => (next() < 0.4 ? 0 : Math.floor(next() * 0x10000)));
  const text = groups.map((g) => {
    const hex = g.toString(16).padStart(1 + Math.floor(next() * 4), '0');
    return next() < 0.3 ? hex.toUpperCase() : hex;
  });
  if (next() < 0.7) {
    const from = Math.floor(next() * 8);
    const to = from + 1 + Math.floor(next() * (8 - from));
    return `${text.slice(0, from).join(':')}::${text.slice(to).join(':')}`;
  }
  return text.join(':');
}

describe('IP addresses as words', () => {
  it('agree with the schema on edge cases, accepting exactly what it accepts', () => {
    const cases = [
      '::', '::1', '1::', '1::2', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::',
      '1::2::3', ':::', ':1::', '1::2:', '1:2:3:4:5:6:7', '12345::', 'g::1', '[::1]', 'fe80::1%eth0', '2001:DB8::A', '0000:0000::0001',
      '1:2:3:4:5:6:7:8:9', '::1:2:3:4:5:6:7', '1:2:3:4::5:6:7:8', ' ::1', '::1 ', '10.0.0.1', '010.0.0.1', '1.2.3', '',
      `${'0'.repeat(4)}:${'0:'.repeat(6)}0001`, '1:2:3:4:5:6:1.2.3.4', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ];
    for (const text of cases) expect(ourWords(text), JSON.stringify(text)).toEqual(schemaWords(text));
  });

  it('agree with the schema on random spellings of addresses and on random strings of their characters', () => {
    const next = random(20261127);
    const alphabet = '0123456789abcdefABCDEF:::.';
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const octet = (): string => (next() < 0.1 ? `0${Math.floor(next() * 300)}` : String(Math.floor(next() * 300)));
      const text = i % 3 === 0
        ? spelled(next)
        : i % 3 === 1
          ? Array.from({ length: 4 }, octet).join('.')
          : Array.from({ length: 1 + Math.floor(next() * 20) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const want = schemaWords(text);
      if (want !== undefined) accepted++;
      expect(ourWords(text), JSON.stringify(text)).toEqual(want);
    }
    expect(accepted).toBeGreaterThan(9_000); // the spellings are all addresses, as are many dotted quads
  });
});
