/**
 * Differential tests of the fast path: for every input, `fastParseEvent` either returns `undefined` or exactly
 * what the full path (`checkPlainness` + `ZEventInputSchema`) produces, and `validateEvent` answers exactly as
 * it does without the fast path. Inputs: a hand-written corpus (every field and rule, and the inputs of the
 * other test files) and seeded random events, typical and mutated, under several limits.
 */
import { describe, expect, it } from 'vitest';

import { canonicalize } from './canonical';
import { createEventSchemas } from './event-schemas';
import type { TEventInput } from './event-schemas';
import { fastParseEvent } from './fast-validate';
import { formatIpAddress } from './ip-address';
import { MAX_LIMITS, resolveLimits } from './limits';
import type { TEventLimits } from './limits';
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from './timestamp';
import { checkPlainness, validateEvent, validateEventWithoutFastPath } from './validate-event';
import type { TValidateEventOptions } from './validate-event';
import { validatedCanonicalText } from './validated-events';

type TObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------------------------

/** Limit sets: the default, tight ones (every limit binding), no targets at all, and the maximum. */
const LIMIT_SETS: readonly { readonly name: string; readonly overrides: Partial<TEventLimits> | undefined }[] = [
  { name: 'default limits', overrides: undefined },
  { name: 'tight limits', overrides: { maxMetadataKeys: 2, maxMetadataKeyLength: 3, maxMetadataStringLength: 4, maxTargets: 1, maxEventBytes: 420 } },
  { name: 'maxTargets 0', overrides: { maxTargets: 0 } },
  { name: 'MAX_LIMITS', overrides: MAX_LIMITS },
];

interface TSetup {
  readonly limits: TEventLimits;
  readonly schema: ReturnType<typeof createEventSchemas>['ZEventInputSchema'];
  readonly options: TValidateEventOptions;
}

const setups = new Map<Partial<TEventLimits> | undefined, TSetup>();

function setupFor(overrides: Partial<TEventLimits> | undefined): TSetup {
  let setup = setups.get(overrides);
  if (setup === undefined) {
    const schemas = createEventSchemas(overrides);
    setup = { limits: resolveLimits(overrides), schema: schemas.ZEventInputSchema, options: overrides === undefined ? {} : { limits: overrides } };
    setups.set(overrides, setup);
  }
  return setup;
}

/** The full path of `validateEvent` up to the parsed event: plainness, then zod. */
function slowParse(input: unknown, setup: TSetup): { ok: true; data: TEventInput } | { ok: false } {
  try {
    if (checkPlainness(input).length > 0) return { ok: false };
    const parsed = setup.schema.safeParse(input, { reportInput: true });
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** Every object reachable from `value` through own enumerable data properties (proxy traps that throw end the walk). */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value);
    try {
      for (const key of Object.keys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor !== undefined && 'value' in descriptor) objectsOf(descriptor.value, into);
      }
    } catch {
      // A hostile proxy (an empty targets array, say): nothing below it was read.
    }
  }
  return into;
}

interface TOutcome {
  readonly fast: boolean;
  readonly slow: boolean;
}

/**
 * Runs the fast path and the full path on `input` and checks the contract: the fast path accepts only what
 * the full path accepts, and then returns the same event (deep-equal, same key order, same canonical text, no
 * object shared with the input); `validateEvent` answers exactly as it does without the fast path.
 */
function compare(input: unknown, overrides?: Partial<TEventLimits>): TOutcome {
  const setup = setupFor(overrides);
  const fast = fastParseEvent(input, setup.limits);
  const slow = slowParse(input, setup);
  if (fast !== undefined) {
    expect(slow.ok, 'the fast path accepted an input the full path rejects').toBe(true);
    if (slow.ok) {
      expect(fast).toStrictEqual(slow.data);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
      expect(canonicalize(fast)).toBe(canonicalize(slow.data));
    }
    const inputObjects = objectsOf(input);
    expect([...objectsOf(fast)].filter((object) => inputObjects.has(object))).toEqual([]);
  }
  const withFastPath = validateEvent(input, setup.options);
  const withoutFastPath = validateEventWithoutFastPath(input, setup.options);
  expect(withFastPath).toStrictEqual(withoutFastPath);
  if (withFastPath.ok && withoutFastPath.ok) {
    expect(validatedCanonicalText(withFastPath.event)).toBe(validatedCanonicalText(withoutFastPath.event));
  }
  return { fast: fast !== undefined, slow: slow.ok };
}

function describeInput(input: unknown): string {
  try {
    return JSON.stringify(input, (_key, value: unknown) =>
      typeof value === 'bigint' ? `${value}n` : typeof value === 'symbol' || typeof value === 'function' ? String(value) : value,
    ).slice(0, 2_000);
  } catch (error) {
    return `(not printable: ${String(error)})`;
  }
}

function compareWithContext(input: unknown, overrides: Partial<TEventLimits> | undefined, label: string): TOutcome {
  try {
    return compare(input, overrides);
  } catch (error) {
    throw new Error(`${label}: ${describeInput(input)}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The hand-written corpus
// ---------------------------------------------------------------------------------------------------------

const base = (): TObject => ({
  action: 'user.signed_in',
  occurred_at: '2026-01-01T10:00:00Z',
  actor: { id: 'user_1', type: 'user' },
  context: { location: '192.0.2.1' },
});

const REALISTIC =
  '{"action":"user.signed_in","occurred_at":"2026-06-01T10:00:00.000Z","actor":{"id":"user_42","type":"user","name":"Ada Lovelace"},' +
  '"targets":[{"id":"document_123","type":"document"}],"context":{"location":"10.1.2.3","user_agent":"Mozilla/5.0 (X11; Linux x86_64; rv:130.0) ' +
  'Gecko/20100101 Firefox/130.0","request_id":"req_abc"},"metadata":{"plan":"team","attempt":2,"mfa":true}}';

class Entity {
  id = 'u';
  type = 'user';
}

class SubArray<T> extends Array<T> {}

const ODD_TIMESTAMPS: readonly string[] = [
  '2026-01-01T10:00:00Z', '2026-01-01T10:00:00.000Z', '2026-06-01T10:00:00.000Z', '2026-01-01t10:00:00z', '2026-01-01 10:00:00Z',
  '2026-01-01T10:00:00', '2026-01-01T10:00:00.123456789+02:00', '2026-01-01T10:00:00.9999999-00:00', '2026-01-01T10:00:00+24:00',
  '2026-01-01T10:00:00+23:59', '2026-01-01T10:00:00-23:59', '2026-01-01T10:00:00+00:60', '2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999999Z',
  '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z',
  '0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z', '0000-01-01T00:00:00+00:01', '0000-01-01T00:30:00+00:30', '0000-01-01T00:00:00-00:01',
  '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999-00:01', '9999-12-31T23:00:00-02:00', '9999-12-31T23:59:59.9999Z', '10000-01-01T00:00:00Z',
  '+002026-01-01T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-32T00:00:00Z',
  '2026-04-31T00:00:00Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00Z', '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00Z',
  '2026-01-01T23:59:60.000Z', '2026-01-01T10:00:00.Z', '2026-01-01T10:00:00,5Z', '2026-1-1T10:00:00Z', ' 2026-01-01T10:00:00Z',
  '2026-01-01T10:00:00Z ', '2026-01-01T10:00:00Z\n', '2026-01-01T10:00:00.000Z\n', '\uff12\uff10\uff12\uff16-01-01T10:00:00Z',
  '\u0662026-01-01T10:00:00.000Z', `2026-01-01T10:00:00.${'1'.repeat(40)}Z`, `2026-01-01T10:00:00.${'1'.repeat(60)}Z`, '', 'yesterday',
  '1767225600000', '2026-01-01', '2026-01-01T10:00Z', '2026-01-01T10:00:00+0200', '2026-01-01T10:00:00+02', '2026-01-01T10:00:00.000+00:00',
  '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2026-01-01T10:00:00.000z', '2026-01-01t10:00:00.000Z', '2026-01-01T10:00:00.00Z',
  '2026-01-01T10:00:00.0000Z', '2026-02-28T23:59:59.999Z', '1900-02-29T00:00:00.000Z', '1600-02-29T00:00:00.000Z',
];

const ODD_IPS: readonly string[] = [
  '192.0.2.1', '10.1.2.3', '0.0.0.0', '255.255.255.255', '256.0.0.1', '300.1.1.1', '010.0.0.1', '1.2.3.00', '1.2.3.0', '1.2.3', '1.2.3.4.5',
  '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4\n', '1.2.3.', '.1.2.3', '1..2.3', '::', '::1', '1::', '::ffff:192.0.2.1', '::FFFF:C000:0201',
  '::ffff:c000:201', '0:0:0:0:0:FFFF:1.2.3.4', '::1.2.3.4', '64:ff9b::192.0.2.33', '2001:DB8::1', '2001:db8::1',
  '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0:1:0:0:1', '2001:db8:0:1:0:0:0:1', 'fe80:0:0:0:1:0:0:1', 'fe80::1%eth0',
  'fe80::1%25eth0', '[::1]', '::1]', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::2::3', '1:::2',
  '12345::', 'g::1', '1.2.3.4::', '::1.2.3.4:5', '::ffff:1.2.3', '::ffff:01.2.3.4', 'FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:255.255.255.255',
  'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '', 'localhost', '\u0661.2.3.4', '0x7f.0.0.1', '::ffff:0:1.2.3.4', '0:0:0:0:0:0:0:0',
  '::ffff:0.0.0.0', '1.2.3.4'.repeat(10), '2130706433', '1.2.3.-4', '+1.2.3.4',
];

const EDGE_STRINGS: readonly string[] = [
  '', ' ', 'x', 'A', 'user', 'User', 'api_key', 'a.b', 'a b', 'a\nb', '\u0000', '\u007f', '\u2028', '\ufeff', '"', '\\', '\u00e9',
  '\ud83d\ude02', '\ud800', '\udbff', '\udc00', 'a\ud800', '\udfffa', 'a\ud83d', '\ude02a', 'user.signed_in', '__proto__', 'constructor',
  ...[1, 3, 4, 39, 40, 41, 63, 64, 65, 99, 100, 101, 254, 255, 256, 257, 499, 500, 501, 1023, 1024, 1025].flatMap((n) => [
    'x'.repeat(n),
    `${'x'.repeat(Math.max(0, n - 2))}\ud83d\ude02`,
    `a.${'b'.repeat(Math.max(0, n - 2))}`,
  ]),
];

/** U+0000 (NUL) at the start, inside, at the end, alone, twice, and beside other problems. */
const NUL_STRINGS: readonly string[] = ['\u0000', '\u0000abc', 'a\u0000b', 'abc\u0000', 'a\u0000\u0000', '\ud800\u0000', `${'x'.repeat(300)}\u0000`];

/** Every string field of an event, each holding `text` (the rest of the event valid). */
function withStringEverywhere(text: string): TObject[] {
  return [
    { ...base(), action: `user.${text}` },
    { ...base(), occurred_at: `2026-01-01T10:00:00Z${text}` },
    { ...base(), actor: { id: text, type: 'user' } },
    { ...base(), actor: { id: 'u', type: `u${text}` } },
    { ...base(), actor: { id: 'u', type: 'user', name: text } },
    { ...base(), actor: { id: 'u', type: 'user', metadata: { k: text } } },
    { ...base(), targets: [{ id: 't', type: 'doc' }, { id: text, type: 'doc', name: text }] },
    { ...base(), targets: [{ id: 't', type: 'doc', metadata: { a: 1, k: text } }] },
    { ...base(), context: { location: `::1${text}` } },
    { ...base(), context: { location: '::1', user_agent: text } },
    { ...base(), context: { location: '::1', request_id: text } },
    { ...base(), context: { location: '::1', session_id: text } },
    { ...base(), metadata: { k: text } },
    { ...base(), metadata: { [`k${text}`]: 'v' } },
    { ...base(), idempotency_key: `key${text}` },
  ];
}

function weirdValues(): unknown[] {
  return [
    undefined, null, true, false, 0, -0, 1, -1, 2, 1.5, 0.1, 1e21, 1e-7, 5e-324, 2 ** 53, 2 ** 53 - 1, -(2 ** 53 - 1), -(2 ** 53), 1e300,
    NaN, Infinity, -Infinity, '', 'x', '1', 'user', '\ud800', '2026-01-01T10:00:00Z', '::1', {}, [], [1], [{ id: 'u', type: 'user' }],
    { a: 1 }, { id: 'u', type: 'user' }, { location: '::1' }, new Date(0), new Date(NaN), Object.create(null), new Entity(), new Map(),
    new Set(), 10n, Symbol('s'), () => 1, Object(1), Object('x'), Object(true), new Uint8Array(2), /re/, new Error('e'), JSON.parse('{"__proto__":1}'),
  ];
}

/** The hand-written corpus: each field and each rule, valid and invalid, and the other tests' inputs. */
function handCorpus(): unknown[] {
  const corpus: unknown[] = [
    base(),
    JSON.parse(REALISTIC),
    JSON.parse(JSON.stringify(base())),
    Object.assign(Object.create(null) as object, base()),
    {
      ...base(),
      actor: { id: 'user_1', type: 'user', name: 'Alice', metadata: { role: 'admin' } },
      targets: [{ id: 'doc_1', type: 'document', name: 'Plan', metadata: { size: 12 } }],
      context: { location: '2001:db8::1', user_agent: 'curl/8.0', request_id: 'req_1', session_id: 'sess_1' },
      metadata: { a: 'x', b: 1.5, c: true, d: null },
      version: 2,
      idempotency_key: 'key-1',
    },
    {},
    5,
    null,
    [],
    'event',
    undefined,
    new Date(0),
    { ...base(), actor: { type: 'user' }, context: {} },
    { ...base(), ip: '1.2.3.4' },
    { ...base(), actor: { id: 'u', type: 'user', email: 'a@b.c' } },
    { ...base(), context: { location: '::1', ip: '::1' } },
    { ...base(), occurred_at: new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 123)) },
    { ...base(), occurred_at: new Date(NaN) },
    { ...base(), occurred_at: 1767225600000 },
    { ...base(), actor: { id: 'x'.repeat(256), type: 'api_key', name: '' } },
    { ...base(), actor: { id: '\u00e9\ud83d\ude02', type: 'user' } },
    { ...base(), targets: [{ id: 'a', type: 'doc' }, { id: 'b', type: 'Invoice' }] },
    { ...base(), targets: [null] },
    { ...base(), targets: { id: 'a', type: 'b' } },
    { ...base(), targets: Array.from({ length: 50 }, () => ({ id: 't', type: 'doc' })) },
    { ...base(), targets: Array.from({ length: 51 }, () => ({ id: 't', type: 'doc' })) },
    { ...base(), targets: Array.from({ length: 51 }, () => 'garbage') },
    { ...base(), targets: new Array(1_000) },
    { ...base(), context: { location: '::1', user_agent: 'u'.repeat(1024), request_id: 'r'.repeat(256), session_id: 's'.repeat(256) } },
    { ...base(), context: { location: '::1', user_agent: 'u'.repeat(1025), request_id: 'r'.repeat(257), session_id: 's'.repeat(257) } },
    { ...base(), metadata: { s: 'x', f: 0.1, i: Number.MAX_SAFE_INTEGER, n: -Number.MAX_SAFE_INTEGER, t: true, z: null, e: 1e-300 } },
    { ...base(), metadata: { z: -0 } },
    { ...base(), actor: { id: 'u', type: 'user', metadata: { z: -0 } }, targets: [{ id: 't', type: 'doc', metadata: { z: -0, o: 0 } }] },
    { ...base(), metadata: { amount: 9007199254740992 } },
    { ...base(), metadata: { big: 1e300 } },
    { ...base(), metadata: { big: 1e21, small: 1e-7, tiny: 5e-324 } },
    { ...base(), metadata: { amount: '9007199254740993' } },
    { ...base(), metadata: { a: NaN, b: Infinity } },
    { ...base(), metadata: { a: { b: 1 }, c: [1] } },
    { ...base(), metadata: [] },
    { ...base(), metadata: null },
    { ...base(), metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])) },
    { ...base(), metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
    { ...base(), metadata: Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i])) },
    { ...base(), metadata: { ['k'.repeat(40)]: 'v'.repeat(500) } },
    { ...base(), metadata: { ['k'.repeat(41)]: 1, s: 'v'.repeat(501), '': 2 } },
    { ...base(), metadata: { ['k'.repeat(256)]: 'v'.repeat(65_023) } },
    { ...base(), metadata: { ['k'.repeat(257)]: 'v'.repeat(65_024) } },
    { ...base(), actor: { id: 'u', type: 'user', metadata: { n: 2 ** 60 } }, targets: [{ id: 't', type: 'doc', metadata: { o: {} } }] },
    { ...base(), metadata: { 'a\nb': 1, 'c\ud800': 2, d: 'x\udfff' } },
    { ...base(), metadata: { 'billing.plan': 'team', '2': 'two', '1': 'one', b: 'b', a: 'a' } },
    { ...base(), metadata: JSON.parse('{"__proto__":{"polluted":true}}') as unknown },
    { ...base(), metadata: JSON.parse('{"__proto__":"x"}') as unknown },
    { ...base(), metadata: JSON.parse('{"constructor":"c","prototype":"p","toString":"t","hasOwnProperty":1}') as unknown },
    JSON.parse(JSON.stringify(base()).replace('{', '{"__proto__":{"version":99},')),
    { ...base(), metadata: new Map([['a', 1]]) },
    { ...base(), actor: new Entity() },
    { ...base(), version: 0 },
    { ...base(), version: 1.5 },
    { ...base(), version: '1' },
    { ...base(), version: 2 ** 53 },
    { ...base(), version: 2 ** 53 - 1 },
    { ...base(), version: NaN },
    { ...base(), version: -0 },
    { ...base(), idempotency_key: `${'!~'.repeat(127)}x` },
    { ...base(), idempotency_key: 'a b' },
    { ...base(), idempotency_key: '' },
    { ...base(), idempotency_key: 'k'.repeat(256) },
    { ...base(), idempotency_key: '\u00e9' },
    { ...base(), idempotency_key: undefined, actor: { id: 'u', type: 'user', name: undefined }, context: { location: '::1', user_agent: undefined } },
    { ...base(), targets: undefined, metadata: undefined, version: undefined },
    { ...base(), actor: { id: 'u', type: 'user', metadata: undefined } },
    { ...base(), action: undefined },
    { ...base(), action: `a.${'b'.repeat(98)}` },
    { ...base(), action: `a.${'b'.repeat(99)}` },
    { ...base(), action: 42 },
    ...['user.signed_in', 'document.deleted', 'a.b', 'billing.invoice.paid', 'x1.y_2.z3'].map((action) => ({ ...base(), action })),
    ...['User.SignedIn', 'login', 'user.', '.user', 'user..x', 'user.1x', '1user.x', 'user-x.y', 'user x.y', 'user.signed_in '].map((action) => ({
      ...base(),
      action,
    })),
    ...[{ id: '', type: 'user' }, { id: 'x'.repeat(257), type: 'user' }, { id: 'u', type: '' }, { id: 'u', type: 'x'.repeat(65) }, { id: 'u', type: 'User' },
      { id: 'u', type: 'user', name: 'n'.repeat(257) }, { id: 7, type: 'user' }, { id: 'u\udc00', type: 'user' }].map((actor) => ({ ...base(), actor })),
    ...ODD_TIMESTAMPS.map((occurred_at) => ({ ...base(), occurred_at })),
    ...ODD_IPS.map((location) => ({ ...base(), context: { location } })),
    ...weirdValues().flatMap((value) => [
      { ...base(), action: value },
      { ...base(), occurred_at: value },
      { ...base(), actor: value },
      { ...base(), targets: value },
      { ...base(), targets: [value] },
      { ...base(), context: value },
      { ...base(), context: { location: value } },
      { ...base(), metadata: value },
      { ...base(), metadata: { k: value } },
      { ...base(), actor: { id: 'u', type: 'user', metadata: { k: value } } },
      { ...base(), version: value },
      { ...base(), idempotency_key: value },
      { ...base(), actor: { id: 'u', type: 'user', name: value } },
      { ...base(), context: { location: '::1', session_id: value } },
    ]),
    ...EDGE_STRINGS.flatMap((text) => [
      { ...base(), action: text },
      { ...base(), actor: { id: text, type: 'user', name: text } },
      { ...base(), actor: { id: 'u', type: text } },
      { ...base(), context: { location: '::1', user_agent: text, request_id: text } },
      { ...base(), metadata: { [text]: text } },
      { ...base(), idempotency_key: text },
    ]),
    ...NUL_STRINGS.flatMap(withStringEverywhere),
  ];

  // Plainness: inherited fields, getters, non-enumerable fields, symbols, frozen objects, odd arrays, proxies.
  const inherited = Object.create({ action: 'user.signed_in' }) as TObject;
  Object.assign(inherited, { occurred_at: '2026-01-01T10:00:00Z', actor: { id: 'u', type: 'user' }, context: { location: '::1' } });
  corpus.push(inherited);
  const inheritedOptional = Object.create({ version: 7 }) as TObject;
  corpus.push(Object.assign(inheritedOptional, base()));
  corpus.push({ ...base(), actor: Object.assign(Object.create({ name: 'inherited' }) as object, { id: 'u', type: 'user' }) });
  corpus.push(Object.defineProperty(base(), 'action', { enumerable: true, get: () => 'user.signed_in' }));
  corpus.push(Object.defineProperty(base(), 'version', { enumerable: false, get: () => 3 }));
  corpus.push(Object.defineProperty(base(), 'version', { enumerable: false, value: 3 }));
  corpus.push(Object.defineProperty(base(), 'targets', { enumerable: false, value: [] }));
  corpus.push(Object.defineProperty(base(), 'action', { enumerable: false, value: 'user.signed_in' }));
  corpus.push(Object.defineProperty(base(), 'extra', { enumerable: false, value: 1 }));
  corpus.push({ ...base(), actor: Object.defineProperty({ id: 'u', type: 'user' }, 'name', { enumerable: false, value: 'hidden' }) });
  corpus.push({ ...base(), context: Object.defineProperty({ location: '::1' }, 'user_agent', { enumerable: true, get: () => 'ua' }) });
  corpus.push({ ...base(), metadata: Object.defineProperty({}, 'k', { enumerable: true, get: () => 1 }) });
  corpus.push({ ...base(), metadata: Object.defineProperty({ a: 1 }, 'hidden', { enumerable: false, value: 2 }) });
  corpus.push({ ...base(), metadata: Object.defineProperty({}, '__proto__', { enumerable: true, value: 1 }) });
  corpus.push({ ...base(), [Symbol('s')]: 1, actor: { id: 'u', type: 'user', [Symbol('t')]: 2 }, metadata: { [Symbol('m')]: 3, a: 1 } });
  corpus.push(Object.freeze({ ...base(), actor: Object.freeze({ id: 'u', type: 'user' }), targets: Object.freeze([Object.freeze({ id: 't', type: 'doc' })]) }));
  corpus.push({ ...base(), targets: SubArray.from([{ id: 't', type: 'doc' }]) });
  corpus.push({ ...base(), targets: Object.assign([{ id: 't', type: 'doc' }], { extra: 1 }) });
  corpus.push({ ...base(), targets: Object.defineProperty([{ id: 't', type: 'doc' }], 0, { enumerable: true, get: () => ({ id: 't', type: 'doc' }) }) });
  corpus.push({ ...base(), targets: [{ id: 't', type: 'doc' }, , { id: 't', type: 'doc' }] }); // eslint-disable-line no-sparse-arrays
  corpus.push({ ...base(), targets: { 0: { id: 't', type: 'doc' }, length: 1 } });
  corpus.push({ ...base(), targets: Object.setPrototypeOf([{ id: 't', type: 'doc' }], Object.prototype) as unknown });
  corpus.push(new Proxy(base(), {}));
  corpus.push({ ...base(), actor: new Proxy({ id: 'u', type: 'user' }, {}), metadata: new Proxy({ a: 1 }, {}) });
  corpus.push({ ...base(), targets: new Proxy([{ id: 't', type: 'doc' }], {}) });
  corpus.push(new Proxy(base(), { ownKeys: () => { throw new Error('trap'); } }));
  corpus.push(new Proxy(base(), { get: () => { throw new Error('trap'); } }));
  corpus.push(new Proxy(base(), { getOwnPropertyDescriptor: () => { throw new Error('trap'); } }));
  corpus.push(new Proxy(base(), { getPrototypeOf: () => { throw new Error('trap'); } }));
  corpus.push({ ...base(), targets: new Proxy([{ id: 't', type: 'doc' }], { getOwnPropertyDescriptor: () => { throw new Error('trap'); } }) });
  return corpus;
}

// ---------------------------------------------------------------------------------------------------------
// Seeded random events
// ---------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every failure is reproducible from its seed. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in `min..max` (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const IDENT_TAIL = `${LOWER}0123456789_`;
const TEXT_UNITS: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:/@#'.split(''),
  '"', '\\', '\n', '\t', '\u0001', '\u007f', '\u00e9', '\u00df', '\u4e2d', '\u2028', '\ufeff', '\ud83d\ude02', '\ud834\udd1e',
];

function ident(g: Random, maxLength: number): string {
  let out = g.pick([...LOWER]);
  const length = g.int(0, maxLength - 1);
  for (let i = 0; i < length; i++) out += g.pick([...IDENT_TAIL]);
  return out;
}

/** Well-formed text of `min..max` UTF-16 units. */
function text(g: Random, min: number, max: number): string {
  const target = g.int(min, max);
  let out = '';
  while (out.length < target) {
    const unit = g.pick(TEXT_UNITS);
    if (out.length + unit.length > max) break;
    out += unit;
  }
  while (out.length < min) out += 'x';
  return out;
}

function visibleAscii(g: Random, min: number, max: number): string {
  const length = g.int(min, max);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(g.int(0x21, 0x7e));
  return out;
}

function timestamp(g: Random): string {
  const ms = g.chance(0.1)
    ? g.pick([MIN_TIMESTAMP_MS + 86_400_000, MAX_TIMESTAMP_MS - 86_400_000, 0, -1, 951_782_400_000])
    : g.int(MIN_TIMESTAMP_MS + 86_400_000, MAX_TIMESTAMP_MS - 86_400_000);
  if (g.chance(0.5)) return new Date(ms).toISOString();
  const offset = g.chance(0.3) ? 0 : g.int(-(23 * 60 + 59), 23 * 60 + 59);
  const local = new Date(ms + offset * 60_000).toISOString();
  let fraction = local.slice(20, 23);
  const digits = g.int(0, 9);
  fraction = digits <= 3 ? fraction.slice(0, digits) : fraction + String(g.int(0, 10 ** (digits - 3) - 1)).padStart(digits - 3, '0');
  const abs = Math.abs(offset);
  const zone =
    offset === 0 && g.chance(0.6)
      ? g.pick(['Z', 'z', '-00:00', '+00:00'])
      : `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 10)}${g.pick(['T', 't'])}${local.slice(11, 19)}${fraction === '' ? '' : `.${fraction}`}${zone}`;
}

function ipAddress(g: Random): string {
  if (g.chance(0.5)) return [0, 1, 2, 3].map(() => String(g.pick([0, 1, 9, 10, 99, 100, 127, 192, 255, g.int(0, 255)]))).join('.');
  const words = Array.from({ length: 8 }, () => (g.chance(0.4) ? 0 : g.int(0, 0xffff)));
  if (g.chance(0.15)) words.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
  const bytes = new Uint8Array(words.flatMap((word) => [word >> 8, word & 0xff]));
  const canonical = formatIpAddress({ version: 6, bytes });
  switch (g.int(0, 3)) {
    case 0:
      return canonical.toUpperCase();
    case 1:
      return words.map((word) => word.toString(16).padStart(4, '0')).join(':');
    case 2:
      return words.map((word) => word.toString(16)).join(g.chance(0.5) ? ':' : ':').toUpperCase();
    default:
      return canonical;
  }
}

function metadata(g: Random, maxKeys: number): TObject {
  const out: TObject = {};
  const count = g.int(0, maxKeys);
  for (let i = 0; i < count; i++) {
    const key = g.chance(0.8) ? ident(g, 12) : text(g, 1, 20).replace(/[\u0000-\u001f\u007f]/g, 'c'); // eslint-disable-line no-control-regex
    out[key] = g.pick([
      () => text(g, 0, 40),
      () => g.int(-1_000_000, 1_000_000),
      () => g.int(-1_000_000, 1_000_000) / 100,
      () => g.pick([0, 1, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1, 1e-7, 5e-324, 123.456, -1e-300, 2 ** 52 + 0.5]),
      () => g.chance(0.5),
      () => null,
    ])();
  }
  return out;
}

function entity(g: Random): TObject {
  const out: TObject = { id: text(g, 1, 40), type: ident(g, 12) };
  if (g.chance(0.5)) out.name = text(g, 0, 40);
  if (g.chance(0.2)) out.metadata = metadata(g, 4);
  return out;
}

/** A typical event, as a client would send it (valid by construction under the default limits). */
function typicalEvent(g: Random): TObject {
  const segments = g.int(2, 4);
  const event: TObject = {
    action: Array.from({ length: segments }, () => ident(g, 12)).join('.'),
    occurred_at: timestamp(g),
    actor: entity(g),
  };
  if (g.chance(0.7)) event.targets = Array.from({ length: g.int(0, 4) }, () => entity(g));
  const context: TObject = { location: ipAddress(g) };
  if (g.chance(0.6)) context.user_agent = text(g, 0, 200);
  if (g.chance(0.5)) context.request_id = visibleAscii(g, 1, 40);
  if (g.chance(0.3)) context.session_id = text(g, 0, 40);
  event.context = context;
  if (g.chance(0.7)) event.metadata = metadata(g, 8);
  if (g.chance(0.3)) event.version = g.int(1, 5);
  if (g.chance(0.3)) event.idempotency_key = visibleAscii(g, 1, 60);
  // Key order varies between clients.
  const shuffled: TObject = {};
  for (const key of Object.keys(event).sort(() => g.next() - 0.5)) shuffled[key] = event[key];
  return g.chance(0.5) ? (JSON.parse(JSON.stringify(shuffled)) as TObject) : shuffled;
}

const TOP_FIELDS = ['action', 'occurred_at', 'actor', 'targets', 'context', 'metadata', 'version', 'idempotency_key'];
const ENTITY_FIELDS = ['id', 'type', 'name', 'metadata'];
const CONTEXT_FIELDS = ['location', 'user_agent', 'request_id', 'session_id'];

interface TSlot {
  readonly fields: readonly string[];
  get(): unknown;
  set(value: unknown): void;
}

function slotsOf(box: { root: unknown }): TSlot[] {
  const slots: TSlot[] = [{ fields: TOP_FIELDS, get: () => box.root, set: (value) => (box.root = value) }];
  const root = box.root;
  if (typeof root !== 'object' || root === null) return slots;
  const holder = root as TObject;
  const child = (parent: TObject, key: string | number, fields: readonly string[]): void => {
    const value = parent[key];
    if (typeof value === 'object' && value !== null && !Object.isFrozen(parent)) {
      slots.push({ fields, get: () => parent[key], set: (next) => (parent[key] = next) });
      if (fields === ENTITY_FIELDS) child(value as TObject, 'metadata', ['k', 'a', 'plan']);
    }
  };
  child(holder, 'actor', ENTITY_FIELDS);
  child(holder, 'context', CONTEXT_FIELDS);
  child(holder, 'metadata', ['k', 'a', 'plan']);
  const targets = holder.targets;
  if (Array.isArray(targets)) {
    if (!Object.isFrozen(holder)) slots.push({ fields: ['0', '1', 'length'], get: () => holder.targets, set: (next) => (holder.targets = next) });
    for (let index = 0; index < targets.length; index++) child(targets as unknown as TObject, index, ENTITY_FIELDS);
  }
  return slots;
}

function oddValueFor(g: Random, field: string): unknown {
  switch (g.int(0, 3)) {
    case 0:
      return g.pick(weirdValues());
    case 1:
      return g.pick(EDGE_STRINGS);
    default:
      switch (field) {
        case 'occurred_at':
          return g.chance(0.8) ? g.pick(ODD_TIMESTAMPS) : g.pick([new Date(0), new Date(NaN), new Date(8.64e15), new Date(-62_167_219_200_001)]);
        case 'location':
          return g.pick(ODD_IPS);
        case 'version':
          return g.pick([0, -1, 1, 2, 1.5, '1', 2 ** 53, 2 ** 53 - 1, NaN, Infinity, -0, null, true, undefined]);
        case 'targets':
          return Array.from({ length: g.pick([0, 1, 2, 50, 51]) }, () => entity(g));
        default:
          return g.pick([...weirdValues(), ...EDGE_STRINGS]);
      }
  }
}

const HANDLERS: readonly ProxyHandler<object>[] = [
  {},
  { get: () => { throw new Error('get trap'); } },
  { ownKeys: () => { throw new Error('ownKeys trap'); } },
  { getOwnPropertyDescriptor: () => { throw new Error('descriptor trap'); } },
];

/** Applies one random mutation somewhere in the event (in place where possible). */
function mutate(g: Random, box: { root: unknown }): void {
  const slot = g.pick(slotsOf(box));
  const target = slot.get();
  if (typeof target !== 'object' || target === null || Object.isFrozen(target)) {
    slot.set(g.pick(weirdValues()));
    return;
  }
  const object = target as TObject;
  const keys = Object.keys(object);
  const field = g.chance(0.7) ? g.pick(slot.fields) : g.chance(0.5) && keys.length > 0 ? g.pick(keys) : g.pick(['extra', 'ip', 'Action', 'id ', '__proto__', '0']);
  switch (g.int(0, 13)) {
    case 0:
      if (keys.length > 0) delete object[g.pick(keys)];
      return;
    case 1:
    case 2:
    case 3:
      object[field] = oddValueFor(g, field);
      return;
    case 4:
      object[field] = undefined;
      return;
    case 5:
      slot.set(Object.assign(Array.isArray(object) ? [] : (Object.create(null) as object), object));
      return;
    case 6:
      slot.set(Object.assign(Array.isArray(object) ? new SubArray() : new Entity(), object));
      return;
    case 7: {
      const inherited = Object.create({ [field]: object[field] ?? oddValueFor(g, field) }) as TObject;
      for (const key of keys) if (key !== field) inherited[key] = object[key];
      slot.set(inherited);
      return;
    }
    case 8: {
      const value = object[field] ?? oddValueFor(g, field);
      Object.defineProperty(object, field, { enumerable: g.chance(0.5), configurable: true, get: () => value });
      return;
    }
    case 9:
      Object.defineProperty(object, field, { enumerable: false, configurable: true, writable: true, value: object[field] ?? oddValueFor(g, field) });
      return;
    case 10:
      Object.freeze(object);
      return;
    case 11:
      slot.set(new Proxy(object, g.chance(0.6) ? {} : g.pick(HANDLERS)));
      return;
    case 12:
      object[Symbol('extra') as unknown as string] = 1;
      return;
    default:
      if (Array.isArray(object)) {
        switch (g.int(0, 2)) {
          case 0:
            object.length += 1; // a hole
            return;
          case 1:
            Object.defineProperty(object, 'extra', { enumerable: true, value: 1 });
            return;
          default:
            object.push(...Array.from({ length: g.int(1, 50) }, () => entity(g)));
            return;
        }
      }
      object[g.pick(EDGE_STRINGS.filter((key) => key.length <= 300))] = oddValueFor(g, field);
  }
}

function mutatedEvent(g: Random): unknown {
  const box = { root: typicalEvent(g) as unknown };
  const count = g.int(1, 3);
  for (let i = 0; i < count; i++) {
    try {
      mutate(g, box);
    } catch {
      // An impossible mutation (e.g. a string as an array's length): skip it.
    }
  }
  if (g.chance(0.1)) {
    try {
      box.root = JSON.parse(JSON.stringify(box.root) ?? 'null') as unknown;
    } catch {
      // BigInt or a throwing proxy: keep the object.
    }
  }
  return box.root;
}

// ---------------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------------

describe('fastParseEvent', () => {
  describe('when given the hand-written corpus', () => {
    it.each(LIMIT_SETS)('agrees with the full path under $name', ({ name, overrides }) => {
      const corpus = handCorpus();
      let fast = 0;
      let slow = 0;
      corpus.forEach((input, index) => {
        const outcome = compareWithContext(input, overrides, `${name}, corpus item ${index}`);
        if (outcome.fast) fast++;
        if (outcome.slow) slow++;
      });
      // Both sides are exercised: the corpus has valid and invalid events, and the fast path takes valid ones.
      expect(slow).toBeGreaterThan(20);
      expect(slow).toBeLessThan(corpus.length / 2);
      expect(fast).toBeGreaterThan(slow * 0.5);
    });
  });

  describe('when given seeded random typical events', () => {
    it.each(LIMIT_SETS)('agrees with the full path and accepts at least 99% of the valid ones under $name', ({ name, overrides }) => {
      let valid = 0;
      let fast = 0;
      for (let index = 0; index < 3_000; index++) {
        const seed = 1_000_000 + index;
        const outcome = compareWithContext(typicalEvent(new Random(seed)), overrides, `${name}, typical event seed ${seed}`);
        if (outcome.slow) valid++;
        if (outcome.fast) fast++;
      }
      expect(valid).toBeGreaterThan(overrides === undefined || overrides === MAX_LIMITS ? 2_900 : 100);
      expect(fast / valid).toBeGreaterThanOrEqual(0.99);
    });
  });

  describe('when given seeded random mutated events', () => {
    it.each(LIMIT_SETS)('agrees with the full path under $name', ({ name, overrides }) => {
      let valid = 0;
      let fast = 0;
      const total = 6_000;
      for (let index = 0; index < total; index++) {
        const seed = 2_000_000 + index;
        const outcome = compareWithContext(mutatedEvent(new Random(seed)), overrides, `${name}, mutated event seed ${seed}`);
        if (outcome.slow) valid++;
        if (outcome.fast) fast++;
      }
      // The mutations reject most events but not all (undefined optional fields, null prototypes, frozen objects…).
      expect(valid).toBeGreaterThan(total * 0.03);
      expect(valid).toBeLessThan(total * 0.7);
      expect(fast).toBeGreaterThan(0);
    });
  });

  describe('when given the realistic event', () => {
    it('takes the fast path and normalizes nothing', () => {
      const input = JSON.parse(REALISTIC) as unknown;
      const event = fastParseEvent(input, resolveLimits());
      expect(event).toStrictEqual({ ...(input as TObject), version: 1 });
      compare(input);
    });
  });

  describe('when values sit exactly at their limits', () => {
    it('still takes the fast path', () => {
      const input = {
        action: `a.${'b'.repeat(98)}`,
        occurred_at: '9999-12-31T23:59:59.999Z',
        actor: { id: 'i'.repeat(256), type: 't'.repeat(64), name: 'n'.repeat(256), metadata: { ['k'.repeat(40)]: 'v'.repeat(500) } },
        targets: Array.from({ length: 50 }, (_, i) => ({ id: `t${i}`, type: 'doc', name: '' })),
        context: { location: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', user_agent: 'u'.repeat(1024), request_id: 'r'.repeat(256), session_id: 's'.repeat(256) },
        metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i % 2 === 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER])),
        version: Number.MAX_SAFE_INTEGER,
        idempotency_key: '~'.repeat(255),
      };
      expect(fastParseEvent(input, resolveLimits())).toBeDefined();
      compare(input);
      const tight = { maxMetadataKeys: 2, maxMetadataKeyLength: 3, maxMetadataStringLength: 4, maxTargets: 1 };
      const small = { ...base(), targets: [{ id: 't', type: 'doc', metadata: { abc: 'abcd', d: 1 } }], metadata: { abc: 'abcd' } };
      expect(fastParseEvent(small, resolveLimits(tight))).toBeDefined();
      compare(small, tight);
    });
  });

  describe('when normalizing', () => {
    it('returns the normalized forms and the defaults', () => {
      const input = {
        ...base(),
        occurred_at: '2026-01-01T10:00:00.123456+02:00',
        context: { location: '2001:0DB8::0001' },
        metadata: { z: -0 },
      };
      const event = fastParseEvent(input, resolveLimits());
      expect(event).toStrictEqual({
        action: 'user.signed_in',
        occurred_at: '2026-01-01T08:00:00.123Z',
        actor: { id: 'user_1', type: 'user' },
        targets: [],
        context: { location: '2001:db8::1' },
        metadata: { z: 0 },
        version: 1,
      });
      expect(Object.is(event?.metadata.z, 0)).toBe(true);
    });
  });

  describe('when a string holds U+0000 (NUL)', () => {
    it.each(LIMIT_SETS)('declines it in every field, and the full path reports it, under $name', ({ name, overrides }) => {
      const limits = resolveLimits(overrides);
      for (const text of NUL_STRINGS) {
        withStringEverywhere(text).forEach((input, index) => {
          expect(fastParseEvent(input, limits), `${name}, field ${index}, ${JSON.stringify(text)}`).toBeUndefined();
          compareWithContext(input, overrides, `${name}, field ${index}`);
          expect(validateEvent(input, setupFor(overrides).options).ok).toBe(false);
        });
      }
      // The same events without the NUL take the fast path (so the NUL alone made it decline).
      const clean = withStringEverywhere('x').filter((input) => fastParseEvent(input, resolveLimits()) !== undefined);
      expect(clean.length).toBeGreaterThanOrEqual(10);
    });
  });

  describe('when the input is unusual', () => {
    it('leaves Dates, class instances, getters and proxies that throw to the full path', () => {
      const limits = resolveLimits();
      expect(fastParseEvent({ ...base(), occurred_at: new Date(0) }, limits)).toBeUndefined();
      expect(fastParseEvent({ ...base(), actor: new Entity() }, limits)).toBeUndefined();
      expect(fastParseEvent(new Proxy(base(), { get: () => { throw new Error('trap'); } }), limits)).toBeUndefined();
      expect(validateEvent({ ...base(), occurred_at: new Date(0) }).ok).toBe(true);
    });

    it('never runs a getter', () => {
      let called = false;
      const input = Object.defineProperty(base(), 'action', {
        enumerable: true,
        get() {
          called = true;
          return 'user.signed_in';
        },
      });
      expect(fastParseEvent(input, resolveLimits())).toBeUndefined();
      expect(called).toBe(false);
    });

    it('declines while Object.prototype has an enumerable or a field-named property', () => {
      const limits = resolveLimits();
      const prototype = Object.prototype as TObject;
      let results: unknown[] = [];
      let full: unknown[] = [];
      try {
        Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true, writable: true });
        results.push(fastParseEvent(base(), limits));
        full.push(validateEventWithoutFastPath(base()).ok);
      } finally {
        delete prototype.polluted;
      }
      expect(results).toEqual([undefined]);
      expect(full).toEqual([false]);
      results = [];
      full = [];
      try {
        Object.defineProperty(Object.prototype, 'name', { value: 'inherited', enumerable: false, configurable: true, writable: true });
        results.push(fastParseEvent(base(), limits));
        const result = validateEventWithoutFastPath(base());
        full.push(result.ok ? result.event.actor.name : undefined);
      } finally {
        delete prototype.name;
      }
      expect(results).toEqual([undefined]);
      expect(full).toEqual(['inherited']);
      expect(fastParseEvent(base(), limits)).toBeDefined();
    });

    it('never changes, freezes or shares the input', () => {
      const input = JSON.parse(REALISTIC) as TObject;
      const copy = JSON.parse(REALISTIC) as unknown;
      const result = validateEvent(input);
      expect(result.ok).toBe(true);
      expect(input).toStrictEqual(copy);
      expect(Object.isFrozen(input) || Object.isFrozen(input.actor) || Object.isFrozen(input.metadata)).toBe(false);
      expect(result.ok && Object.isFrozen(result.event.actor)).toBe(true);
    });
  });
});
