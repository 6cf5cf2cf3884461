/**
 * A metadata filter on `__proto__` is refused by the event filter of `events.list`, `events.stats` and
 * `exports.create`: zod's record leaves that key out of its output, so the filter reached the query as no
 * metadata filter and matched every event. Ingest refuses the key in events, so no event can match it. Keys
 * that merely name `Object.prototype` members (`constructor`, `prototype`) are ordinary, at ingest and here.
 * Over real HTTP on SQLite and Postgres: apps/server/test/query-inputs.test.ts.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';

import { ZEventFilterSchema } from '../src/routers/shared.types';

/** As the API receives it: JSON.parse makes `__proto__` an own key. */
const parsed = (json: string): unknown => JSON.parse(json);

describe('ZEventFilterSchema metadata', () => {
  describe('when a key is __proto__', () => {
    it.each(['{"metadata":{"__proto__":"x"}}', '{"metadata":{"plan":"team","__proto__":"x"}}', '{"metadata":{"__proto__":{"plan":"team"}}}'])(
      'refuses %s naming metadata and the key',
      (json) => {
        const result = ZEventFilterSchema.safeParse(parsed(json));
        expect(result.success).toBe(false);
        expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
          ['metadata', 'key "__proto__" is reserved: ingest refuses it in events, so no event can match it'],
        ]);
      },
    );
  });

  describe('when keys name other Object.prototype members', () => {
    it('keeps them, as own keys of a plain object', () => {
      const filter = ZEventFilterSchema.parse(parsed('{"metadata":{"constructor":"x","prototype":"y","toString":"z","hasOwnProperty":"w"}}'));
      expect(Object.entries(filter.metadata ?? {})).toEqual([['constructor', 'x'], ['prototype', 'y'], ['toString', 'z'], ['hasOwnProperty', 'w']]);
      expect(Object.getPrototypeOf(filter.metadata)).toBe(Object.prototype);
    });
  });

  describe('when the metadata is not an object of strings', () => {
    it.each([['"plan"'], ['null'], ['{"plan":1}']])('refuses %s as a record would', (json) => {
      expect(ZEventFilterSchema.safeParse(parsed(`{"metadata":${json}}`)).success).toBe(false);
    });
  });

  it('types the metadata as a record of strings, in and out', () => {
    expectTypeOf<z.input<typeof ZEventFilterSchema>['metadata']>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<z.output<typeof ZEventFilterSchema>['metadata']>().toEqualTypeOf<Record<string, string> | undefined>();
  });
});
