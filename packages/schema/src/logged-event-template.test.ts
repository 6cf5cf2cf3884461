import { describe, expect, it } from 'vitest';

import { canonicalize } from './canonical';
import { LoggedEventError } from './errors';
import { createLoggedEvent, fillLoggedEvent, loggedEventTemplate, parseLoggedEvent } from './logged-event';
import { generateSalt } from './salt';
import { generateUuidV7 } from './uuid-v7';
import { validateEvent } from './validate-event';

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['Ada', 'é\u0301', '"quoted" \\ back', 'tab\there\nnew', '\u0001\u001f', '😀 emoji', '\u2028\u2029', 'z'.repeat(200), ''];
const KEYS = ['a', 'id', 'v', 'seq', 'salt', 'Z', 'organization_id', 'received_at', '_x', 'ü'];

function rawEvent(r: () => number, i: number): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const event: Record<string, unknown> = {
    action: pick(['user.signed_in', 'document.viewed', 'a.b', 'billing.plan_changed']),
    occurred_at: pick(['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.123+02:00', '1999-12-31T23:59:59.999Z', '2026-03-01T10:00:00.5-07:30']),
    actor: { id: `u_${i}`, type: pick(['user', 'service']), ...(r() < 0.6 ? { name: pick(STRINGS.filter((s) => s !== '')) } : {}) },
  };
  if (r() < 0.8) event.targets = Array.from({ length: Math.floor(r() * 4) }, (_, t) => ({ id: `t_${t}_${pick(STRINGS.filter((s) => s !== ''))}`, type: pick(['document', 'invoice']), ...(r() < 0.3 ? { name: 'Name' } : {}) }));
  {
    const context: Record<string, unknown> = {};
    context.location = pick(['10.1.2.3', '2001:DB8::1', '::ffff:192.0.2.1', '0.0.0.0']);
    if (r() < 0.7) context.user_agent = pick(STRINGS.filter((s) => s !== ''));
    if (r() < 0.5) context.request_id = `req_${i}`;
    if (r() < 0.3) context.session_id = `s_${i}`;
    event.context = context;
  }
  if (r() < 0.8) {
    const metadata: Record<string, unknown> = {};
    for (let k = 0; k < Math.floor(r() * 5); k++) metadata[pick(KEYS)] = pick<unknown>([1, -0, 2 ** 53 - 1, 0.1, 1e-7, true, null, pick(STRINGS)]);
    event.metadata = metadata;
  }
  if (r() < 0.4) event.version = 1 + Math.floor(r() * 3);
  if (r() < 0.5) event.idempotency_key = pick(['k-1', 'with"quote', 'back\\slash', '~!@#$%^&*()']);
  return event;
}

describe('loggedEventTemplate + fillLoggedEvent', () => {
  it('give exactly the bytes of createLoggedEvent, for 3,000 varied events', () => {
    const r = prng(20261126);
    let checked = 0;
    for (let i = 0; i < 3_000; i++) {
      const result = validateEvent(rawEvent(r, i));
      if (!result.ok) throw new Error(`test event ${i} is invalid: ${result.issues.map((x) => x.message).join('; ')}`);
      const server = { organizationId: r() < 0.5 ? 'acme' : 'Org-1.a_b', seq: Math.floor(r() * 2 ** 40), id: generateUuidV7(), receivedAt: 1_780_000_000_000 + i, salt: generateSalt() };
      const expected = createLoggedEvent(result.event, server);
      const filled = fillLoggedEvent(loggedEventTemplate(result.event), server);
      expect(filled.text).toBe(canonicalize(expected.event));
      // Compared here, not with toEqual: a deep equality walks typed arrays byte by byte through its generic
      // matcher, about 2 ms an event, and turned this test into a minute on a loaded CI machine.
      expect(firstDifference(filled.bytes, expected.bytes)).toBe(-1);
      checked++;
    }
    expect(checked).toBe(3_000);
  });

  it('produce a leaf that parses back as a logged event', () => {
    const result = validateEvent({ action: 'user.signed_in', occurred_at: '2026-03-01T10:00:00Z', actor: { id: 'u', type: 'user' }, context: { location: '10.0.0.1' } });
    if (!result.ok) throw new Error('invalid');
    const { bytes } = fillLoggedEvent(loggedEventTemplate(result.event), { organizationId: 'acme', seq: 0, id: generateUuidV7(), receivedAt: 0, salt: generateSalt() });
    expect(parseLoggedEvent(bytes).ok).toBe(true);
  });

  it('refuse an event that was not validated, and server fields createLoggedEvent refuses', () => {
    expect(() => loggedEventTemplate({ action: 'x' } as never)).toThrow(LoggedEventError);
    const result = validateEvent({ action: 'user.signed_in', occurred_at: '2026-03-01T10:00:00Z', actor: { id: 'u', type: 'user' }, context: { location: '10.0.0.1' } });
    if (!result.ok) throw new Error('invalid');
    const template = loggedEventTemplate(result.event);
    const good = { organizationId: 'acme', seq: 1, id: generateUuidV7(), receivedAt: 0, salt: generateSalt() };
    expect(() => fillLoggedEvent(template, { ...good, organizationId: 'bad id' })).toThrow(/organization/i);
    expect(() => fillLoggedEvent(template, { ...good, seq: -1 })).toThrow(LoggedEventError);
    expect(() => fillLoggedEvent(template, { ...good, id: 'not-a-uuid' })).toThrow(LoggedEventError);
    expect(() => fillLoggedEvent(template, { ...good, salt: 'x' })).toThrow(LoggedEventError);
  });
});

/** The first index where `a` and `b` differ (a length difference counts at the shorter length), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
