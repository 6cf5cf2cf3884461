import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { findDuplicateMemberName } from './duplicate-member';
import { StrictJsonError } from './errors';
import { parseStrictJson } from './strict-json';

/** Whether the strict parser refuses `text` for a duplicate name (the scan's reference on JSON text). */
function strictSaysDuplicate(text: string): boolean {
  try {
    parseStrictJson(text);
    return false;
  } catch (error) {
    if (error instanceof StrictJsonError) return error.code === 'duplicate_key';
    throw error;
  }
}

describe('findDuplicateMemberName', () => {
  it('finds a name written twice in one object, with the object\'s JSON Pointer and the second occurrence', () => {
    const text = '{"events":[{"a":1},{"a":1,"b":{"x":[0,{"c":2,"d":3,"c":4}]}}]}';
    expect(findDuplicateMemberName(text)).toEqual({ name: 'c', pointer: '/events/1/b/x/1', offset: text.lastIndexOf('"c"') });
    expect(findDuplicateMemberName('{"a":1,"a":2}')).toEqual({ name: 'a', pointer: '', offset: 7 });
    expect(findDuplicateMemberName('[1,[2,3],{"k":{}, "k" : []}]')).toEqual({ name: 'k', pointer: '/2', offset: 18 });
  });

  it('compares names unescaped, and escapes the pointer (RFC 6901)', () => {
    expect(findDuplicateMemberName('{"a/b~":{"\\u0061":1,"a":2}}')).toEqual({ name: 'a', pointer: '/a~1b~0', offset: 20 });
    expect(findDuplicateMemberName('{"q\\"":{"\\"":1,"\\u0022":2}}')?.name).toBe('"');
  });

  it('finds nothing where the same name is in different objects, or only in strings and values', () => {
    for (const text of [
      '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":1}]}',
      '{"a":"\\"a\\":1,","b":"{\\"a\\":1,\\"a\\":2}"}',
      '["a","a",{"a":"a"}]',
      '{}',
      '[]',
      '"a"',
      '{"A":1,"a":2,"a ":3}',
    ]) {
      expect(findDuplicateMemberName(text), text).toBeUndefined();
    }
  });

  it('agrees with the strict parser on any JSON text', () => {
    const key = fc.constantFrom('a', 'b', '\\u0061', 'a/b', '~', '\\"', '\\u0022');
    const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('1', 'null', '"a"', '":"', '"{"', '"\\\\"'),
        fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
        fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((members) => `{${members.map(([k, v]) => `"${k}" : ${v}`).join(',')}}`),
      ),
    })).value;
    fc.assert(
      fc.property(json, (text) => {
        expect(findDuplicateMemberName(text) !== undefined).toBe(strictSaysDuplicate(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays linear on an object with very many names, and returns on text that is not JSON', () => {
    const many = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":0`).join(',')},"k7":1}`;
    expect(findDuplicateMemberName(many)).toEqual({ name: 'k7', pointer: '', offset: many.lastIndexOf('"k7"') });
    for (const text of ['', '}}]]', '{"a', '{"a":1,"\\', ':::', '{"\\x":1,"\\x":2}', '['.repeat(100_000)]) {
      expect(() => findDuplicateMemberName(text), text.slice(0, 20)).not.toThrow();
    }
    // Not JSON, and the scan says so only as a "maybe": the strict parser refuses it for its syntax.
    expect(findDuplicateMemberName('{"a": "a":}')?.name).toBe('a');
    expect(strictSaysDuplicate('{"a": "a":}')).toBe(false);
  });
});
