import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalize, isCanonicalJson } from './canonical';
import { LoggedEventError } from './errors';
import type { TEventInput } from './event-schemas';
import { MAX_LEAF_BYTES, createLoggedEvent, parseLoggedEvent } from './logged-event';
import type { TLoggedEventServerFields } from './logged-event';
import { generateSalt } from './salt';
import { generateUuidV7 } from './uuid-v7';
import { validateEvent } from './validate-event';

const server = (): TLoggedEventServerFields => ({
  organizationId: 'org_1',
  seq: 41,
  id: '019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b',
  receivedAt: '2026-01-01T08:00:01.456Z',
  salt: 'q0Hc3bX2s1m8JtYV1o9SgA==',
});

function validated(input: unknown): TEventInput {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('\n'));
  return result.event;
}

const example = () =>
  validated({
    action: 'user.signed_in',
    occurred_at: '2026-01-01T10:00:00.123456+02:00',
    actor: { id: 'user_1', type: 'user', name: 'Alice' },
    targets: [{ id: 'user_1', type: 'user' }],
    context: { location: '2001:DB8::1', user_agent: 'curl/8.5.0' },
    metadata: { method: 'sso', note: 'line 1\nline 2' },
  });

function thrown(run: () => unknown): LoggedEventError {
  try {
    run();
  } catch (error) {
    if (error instanceof LoggedEventError) return error;
    throw error;
  }
  throw new Error('expected a LoggedEventError');
}

describe('createLoggedEvent', () => {
  describe('when given a validated event and valid server fields', () => {
    it('returns the logged event and its canonical bytes', () => {
      const { event, bytes } = createLoggedEvent(example(), server());
      const text = new TextDecoder().decode(bytes);
      expect(text).toBe(
        '{"action":"user.signed_in","actor":{"id":"user_1","name":"Alice","type":"user"},' +
          '"context":{"location":"2001:db8::1","user_agent":"curl/8.5.0"},' +
          '"id":"019b7a3e-4c1d-7a2b-9f3e-1c2d3e4f5a6b","metadata":{"method":"sso","note":"line 1\\nline 2"},' +
          '"occurred_at":"2026-01-01T08:00:00.123Z","organization_id":"org_1","received_at":"2026-01-01T08:00:01.456Z",' +
          '"salt":"q0Hc3bX2s1m8JtYV1o9SgA==","seq":41,"targets":[{"id":"user_1","type":"user"}],"v":1,"version":1}',
      );
      expect(event).toEqual(JSON.parse(text));
      expect(isCanonicalJson(bytes)).toBe(true);
      expect(bytes.includes(0x0a)).toBe(false);
    });

    it('has a stable leaf hash (SHA-256(0x00 || bytes))', () => {
      const { bytes } = createLoggedEvent(example(), server());
      const leafHash = createHash('sha256').update(Buffer.from([0])).update(bytes).digest('hex');
      expect(leafHash).toBe(createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(bytes)])).digest('hex'));
      expect(createLoggedEvent(example(), server()).bytes).toEqual(bytes);
      expect(createLoggedEvent(example(), { ...server(), salt: generateSalt() }).bytes).not.toEqual(bytes);
    });

    it('accepts the server fields in their other forms', () => {
      const salt = new Uint8Array(16).fill(0xff);
      const { event } = createLoggedEvent(example(), { ...server(), seq: 7n, receivedAt: Date.UTC(2026, 0, 1), salt });
      expect(event.seq).toBe(7);
      expect(event.received_at).toBe('2026-01-01T00:00:00.000Z');
      expect(event.salt).toBe('/////////////////////w==');
      expect(createLoggedEvent(example(), { ...server(), receivedAt: new Date(0) }).event.received_at).toBe('1970-01-01T00:00:00.000Z');
      expect(createLoggedEvent(example(), { ...server(), id: generateUuidV7(), salt: generateSalt() }).event.v).toBe(1);
    });

    it('copies only the fields of the format', () => {
      // A copy that validateEvent never saw: the full check path, where extra fields are dropped.
      const input = { ...structuredClone(example()), extra: 'leak' } as TEventInput;
      (input.actor as Record<string, unknown>).password = 'secret';
      const { bytes } = createLoggedEvent(input, server());
      const text = new TextDecoder().decode(bytes);
      expect(text).not.toContain('leak');
      expect(text).not.toContain('secret');
    });

    it('returns an event the input can no longer change: validated events are frozen', () => {
      const input = example();
      const { event } = createLoggedEvent(input, server());
      expect(() => {
        input.metadata.method = 'changed';
      }).toThrow(TypeError);
      expect(event.metadata.method).toBe('sso');
    });

    it('returns an event that does not share objects with an unvalidated input', () => {
      const input = structuredClone(example());
      const { event } = createLoggedEvent(input, server());
      input.metadata.method = 'changed';
      expect(event.metadata.method).toBe('sso');
    });
  });

  describe('when a server field is invalid', () => {
    it.each([
      [{ organizationId: 'org 1' }, 'invalid_organization_id'],
      [{ organizationId: '' }, 'invalid_organization_id'],
      [{ seq: -1 }, 'invalid_seq'],
      [{ seq: 1.5 }, 'invalid_seq'],
      [{ seq: 2 ** 53 }, 'invalid_seq'],
      [{ seq: 2n ** 53n }, 'invalid_seq'],
      [{ id: 'not-a-uuid' }, 'invalid_id'],
      [{ id: '019B7A3E-4C1D-7A2B-9F3E-1C2D3E4F5A6B' }, 'invalid_id'],
      [{ id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' }, 'invalid_id'],
      [{ receivedAt: 'now' }, 'invalid_received_at'],
      [{ receivedAt: 1.5 }, 'invalid_received_at'],
      [{ receivedAt: new Date(NaN) }, 'invalid_received_at'],
      [{ salt: 'short' }, 'invalid_salt'],
      [{ salt: new Uint8Array(15) }, 'invalid_salt'],
    ] as const)('throws LoggedEventError for %o', (patch, code) => {
      expect(thrown(() => createLoggedEvent(example(), { ...server(), ...patch })).code).toBe(code);
    });
  });

  describe('when the input was not validated', () => {
    it('throws invalid_event instead of logging it', () => {
      const raw = { ...example(), occurred_at: '2026-01-01T10:00:00+02:00' };
      const error = thrown(() => createLoggedEvent(raw, server()));
      expect(error.code).toBe('invalid_event');
      expect(error.message).toBe(
        'the event was not validated: occurred_at: "2026-01-01T10:00:00+02:00" is not a canonical UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)',
      );
      expect(thrown(() => createLoggedEvent({ ...example(), metadata: { x: NaN } }, server())).code).toBe('invalid_event');
      expect(thrown(() => createLoggedEvent({} as TEventInput, server())).code).toBe('invalid_event');
    });
  });

  describe('when the leaf would exceed 65,535 bytes', () => {
    it('throws too_large', () => {
      const metadata = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, '\u0001'.repeat(100)]));
      const result = validateEvent(
        { action: 'a.b', occurred_at: '2026-01-01T00:00:00Z', actor: { id: 'u', type: 'user' }, context: { location: '::1' } },
        {},
      );
      if (!result.ok) throw new Error('unexpected');
      const error = thrown(() => createLoggedEvent({ ...result.event, metadata }, server()));
      expect(error.code).toBe('too_large');
      expect(error.message).toMatch(/^the logged event is \d+ bytes; the limit is 65535$/);
    });
  });

  describe('when given arbitrary valid events', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    const value = fc.oneof(text, fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)), fc.boolean(), fc.constant(null));
    // eslint-disable-next-line no-control-regex -- metadata keys must not contain control characters
    const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((k) => k !== '__proto__' && !/[\u0000-\u001f\u007f]/.test(k));
    const entity = fc.record({ id: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), type: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/) }, { requiredKeys: ['id', 'type'] });
    const event = fc.record({
      action: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}\.[a-z][a-z0-9_]{0,8}$/),
      occurred_at: fc.date({ min: new Date(0), max: new Date(2 ** 42), noInvalidDate: true }).map((date) => date.toISOString()),
      actor: entity,
      targets: fc.array(entity, { maxLength: 3 }),
      context: fc.record({ location: fc.oneof(fc.ipV4(), fc.ipV6()), user_agent: text }),
      metadata: fc.dictionary(key, value, { maxKeys: 8 }),
    });

    it('produces canonical bytes without raw line feeds for any valid event', () => {
      let logged = 0;
      fc.assert(
        fc.property(event, fc.nat({ max: Number.MAX_SAFE_INTEGER }), (input, seq) => {
          const result = validateEvent(input);
          if (!result.ok) {
            // Only lone surrogates and U+0000 (binary strings) may make a generated event invalid.
            const expected = (issue: (typeof result.issues)[number]) =>
              issue.code === 'invalid_unicode' || (issue.code === 'invalid_format' && issue.message.includes('U+0000 (NUL)'));
            expect(result.issues.every(expected)).toBe(true);
            return;
          }
          logged++;
          const leaf = createLoggedEvent(result.event, { ...server(), seq });
          expect(isCanonicalJson(leaf.bytes)).toBe(true);
          expect(leaf.bytes.includes(0x0a)).toBe(false);
          expect(new TextDecoder().decode(leaf.bytes)).toBe(canonicalize(leaf.event));
          expect(parseLoggedEvent(leaf.bytes)).toEqual({ ok: true, event: leaf.event });
        }),
        { numRuns: 300 },
      );
      expect(logged).toBeGreaterThan(30);
    });
  });
});

describe('createLoggedEvent (README example)', () => {
  describe('when building the example of the README', () => {
    it('produces the canonical bytes the README shows', () => {
      const input = validated({
        action: 'document.shared',
        occurred_at: '2026-03-14T09:26:53.589793+01:00',
        actor: { id: 'user_01HQ3', type: 'user', name: 'Alice Martin' },
        targets: [{ id: 'doc_8812', type: 'document', name: 'Q1 board deck' }],
        context: { location: '2001:0DB8::0042', user_agent: 'Mozilla/5.0', request_id: 'req_7f3a' },
        metadata: { permission: 'view', expires_in_days: 7, notify: true },
      });
      const { bytes } = createLoggedEvent(input, {
        organizationId: 'org_acme',
        seq: 1041,
        id: '019ceb74-9cbc-7c1e-8b0f-3d2a9e6c4b71',
        receivedAt: '2026-03-14T08:26:54.012Z',
        salt: 'mJ0r8vYkQ1c9oFh2Zt5WxA==',
      });
      const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
      expect(bytes.length).toBe(537);
      expect(readme).toContain(`\n${new TextDecoder().decode(bytes)}\n`);
    });
  });
});

describe('parseLoggedEvent', () => {
  describe('when the leaf is valid', () => {
    it('returns the event', () => {
      const { event, bytes } = createLoggedEvent(example(), server());
      expect(parseLoggedEvent(bytes)).toEqual({ ok: true, event });
      expect(parseLoggedEvent(new TextDecoder().decode(bytes))).toEqual({ ok: true, event });
    });
  });

  describe('when the leaf is not what the log writes', () => {
    it('reports invalid JSON, non-canonical bytes and schema problems', () => {
      const { event } = createLoggedEvent(example(), server());
      expect(parseLoggedEvent('{"a":1,"a":2}')).toEqual({
        ok: false,
        issues: [{ path: '', code: 'invalid_json', message: 'not strict I-JSON: duplicate member name "a" at line 1, column 8' }],
      });
      expect(parseLoggedEvent(JSON.stringify(event, null, 2))).toEqual({
        ok: false,
        issues: [{ path: '', code: 'not_canonical', message: 'not in RFC 8785 canonical form' }],
      });
      const tampered = canonicalize({ ...event, seq: -1 });
      expect(parseLoggedEvent(tampered)).toEqual({
        ok: false,
        issues: [{ path: 'seq', code: 'too_small', message: 'seq: must be at least 0, got -1' }],
      });
      expect(parseLoggedEvent(new Uint8Array(MAX_LEAF_BYTES + 1))).toEqual({
        ok: false,
        issues: [{ path: '', code: 'too_large', message: 'the leaf is 65536 bytes; the limit is 65535' }],
      });
    });
  });
});
