import { encodeBase64, hashLeaf } from '@custody/ledger';
import { ipSortKey, searchWords } from '@custody/schema';
import type { TQuery, TQueryTerm, TSort, TSortColumn, TViewerRow } from '@custody/ui';
import { beforeAll, describe, expect, it } from 'vitest';

import { createViewerEngine, type TViewerEngine } from './engine';
import { verifyCaseFileLog } from './case-file';
import {
  FOREIGN, SIGNER, buildBundle, eventInput, lines, recomputeManifests, reseal, setLines, source, tamper, text, zipBomb,
  type BuiltBundle,
} from './test/fixtures';

interface LoggedEvent {
  seq: number;
  action: string;
  occurred_at: string;
  actor: { id: string; type: string; name?: string };
  targets: { id: string; type: string; name?: string }[];
  context: { location: string; user_agent?: string; request_id?: string; session_id?: string };
  metadata: Record<string, string | number | boolean | null>;
}

const ALL: TQuery = { terms: [] };
const TIME: TSort = { column: 'time', direction: 'asc' };

async function open(bytes: Uint8Array, trusted: readonly string[] = [SIGNER.vkey], engine = createViewerEngine({ notifyIntervalMs: 0 })): Promise<{ engine: TViewerEngine; id: string }> {
  const id = await engine.openBundle(source(bytes), { fileName: 'bundle.zip', trustedKeys: trusted });
  await engine.whenIdle();
  return { engine, id };
}

async function allRows(engine: TViewerEngine, query: TQuery = ALL, sort: TSort = TIME): Promise<TViewerRow[]> {
  const view = await engine.view(query, sort);
  return [...(await engine.rows(view.viewId, 0, view.total))];
}

function bundleState(engine: TViewerEngine, id: string) {
  const state = engine.state().bundles.find((b) => b.bundleId === id);
  if (state === undefined) throw new Error(`no bundle ${id}`);
  return state;
}

/** The server's search text of an event, per field value (for phrases). */
function searchFields(e: LoggedEvent): string[][] {
  const parts = [e.action, e.actor.id, e.actor.type, e.actor.name, e.context.user_agent, e.context.request_id, e.context.session_id];
  for (const t of e.targets) parts.push(t.id, t.type, t.name);
  for (const v of Object.values(e.metadata)) if (typeof v === 'string') parts.push(v);
  return parts.filter((p): p is string => p !== undefined).map(searchWords);
}

let good: BuiltBundle;
let engine: TViewerEngine;
let bundleId: string;
let rows: TViewerRow[];
let events: Map<number, LoggedEvent>;

beforeAll(async () => {
  good = await buildBundle();
  ({ engine, id: bundleId } = await open(good.bytes));
  rows = await allRows(engine);
  events = new Map([...good.events].map(([seq, bytes]) => [seq, JSON.parse(text(bytes)) as LoggedEvent]));
});

describe('loading and verification', () => {
  it('loads every shown event with its columns, control numbers and a valid verdict', async () => {
    const state = bundleState(engine, bundleId);
    expect(state.phase).toBe('done');
    expect(state.verdict).toBe('valid');
    expect(state.sha256).toBe(good.sha256);
    expect(state.checks.map((c) => c.status)).toEqual(Array(8).fill('valid'));
    expect(state.signers).toEqual([expect.objectContaining({ vkey: SIGNER.vkey, trusted: true })]);
    expect(state.checkpoint?.size).toBe('60');
    expect(state.matter).toEqual({ name: 'Acme v. Beta', number: '2026-001' });
    expect(engine.state().rows).toBe(good.shown.length);
    const bySeq = await allRows(engine, ALL, { column: 'seq', direction: 'asc' });
    expect(bySeq.map((r) => r.seq)).toEqual(good.shown);
    bySeq.forEach((row, line) => {
      const e = events.get(row.seq) as LoggedEvent;
      expect(row.controlNumber).toBe(`ACME${String(line + 1).padStart(6, '0')}`);
      expect(row.time).toBe(Date.parse(e.occurred_at));
      expect(row.action).toBe(e.action);
      expect([row.actorType, row.actorId, row.actorName]).toEqual([e.actor.type, e.actor.id, e.actor.name ?? null]);
      expect(row.targets).toBe(e.targets.map((t) => `${t.type}:${t.id}`).join('; '));
      expect(row.ip).toBe(e.context.location);
      expect(row.userAgent).toBe(e.context.user_agent ?? null);
      expect(row.status).toBe('verified');
      expect(row.bundleId).toBe(bundleId);
    });
  });

  it('returns the exact canonical line, its leaf hash and the proof', async () => {
    const row = rows[7] as TViewerRow;
    const detail = await engine.event(row.rowId);
    const bytes = good.events.get(row.seq) as Uint8Array;
    expect(detail.canonical).toBe(text(bytes));
    expect(detail.leafHash).toBe(encodeBase64(hashLeaf(bytes)));
    expect(detail.event).toEqual(JSON.parse(text(bytes)));
    expect(detail.proof).toEqual(expect.objectContaining({ treeSize: '60', mode: 'complete-range' }));
    expect(detail.problems).toEqual([]);
  });

  it('an untrusted key: invalid, signers untrusted, no row verified; trusting it re-verifies', async () => {
    const states: string[] = [];
    const e = createViewerEngine({ notifyIntervalMs: 0 });
    e.subscribe((s) => {
      for (const b of s.bundles) states.push(b.verdict);
    });
    const { id } = await open(good.bytes, [], e);
    const state = bundleState(e, id);
    expect(state.verdict).toBe('invalid');
    expect(state.signers).toEqual([expect.objectContaining({ vkey: SIGNER.vkey, trusted: false })]);
    expect(state.failures.map((f) => f.code)).toContain('NO_TRUSTED_KEYS');
    expect(states).not.toContain('valid');
    const untrusted = await allRows(e);
    expect(untrusted.every((r) => r.status === 'failed')).toBe(true);
    expect((await e.view({ terms: [{ kind: 'field', field: 'status', op: 'eq', value: 'verified' }] }, TIME)).total).toBe(0);
    expect((await e.event((untrusted[0] as TViewerRow).rowId)).problems.join(' ')).toMatch(/trusted/);
    expect(await e.trustKey(SIGNER.vkey)).toEqual([id]);
    expect(bundleState(e, id).verdict).toBe('pending');
    expect((await allRows(e)).every((r) => r.status === 'pending')).toBe(true);
    await e.whenIdle();
    expect(bundleState(e, id).verdict).toBe('valid');
    expect(bundleState(e, id).signers[0]?.trusted).toBe(true);
    expect((await allRows(e)).every((r) => r.status === 'verified')).toBe(true);
    expect(await e.trustedKeys()).toEqual([{ vkey: SIGNER.vkey, fingerprint: expect.stringMatching(/^SHA256:/) as unknown }]);
  });

  it('a modified event line: that row named, the bundle invalid, nothing verified', async () => {
    const tampered = await tamper(good.bytes, (files) => {
      const all = lines(files, 'data/events.ndjson');
      all[5] = (all[5] as string).replace('"action":"', '"action":"x');
      setLines(files, 'data/events.ndjson', all);
    });
    const { engine: e, id } = await open(tampered);
    const state = bundleState(e, id);
    expect(state.verdict).toBe('invalid');
    const codes = state.failures.map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['MANIFEST_MISMATCH', 'LEAF_HASH_MISMATCH']));
    expect(state.failures.find((f) => f.code === 'LEAF_HASH_MISMATCH')).toEqual(expect.objectContaining({ file: 'data/events.ndjson', line: 6 }));
    const all = await allRows(e, ALL, { column: 'seq', direction: 'asc' });
    expect(all.every((r) => r.status === 'failed')).toBe(true);
    expect((await e.event((all[5] as TViewerRow).rowId)).problems.join('\n')).toMatch(/LEAF_HASH_MISMATCH/);
    const other = (await e.event((all[0] as TViewerRow).rowId)).problems.join('\n');
    expect(other).not.toMatch(/LEAF_HASH_MISMATCH/);
    expect(other).toMatch(/MANIFEST_MISMATCH|manifest/);
  });

  it('re-signed with a foreign key: the seal is untrusted, the signer listed, nothing verified', async () => {
    const tampered = await tamper(good.bytes, (files, bag) => {
      const all = lines(files, 'data/events.ndjson');
      all[2] = (all[2] as string).replace('"action":"', '"action":"y');
      setLines(files, 'data/events.ndjson', all);
      recomputeManifests(files);
      reseal(files, bag, FOREIGN.skey);
    });
    const { engine: e, id } = await open(tampered);
    const state = bundleState(e, id);
    expect(state.verdict).toBe('invalid');
    expect(state.failures.map((f) => f.code)).toEqual(expect.arrayContaining(['SEAL_UNTRUSTED_KEY', 'LEAF_HASH_MISMATCH']));
    expect(state.checks.find((c) => c.name === 'manifests')?.status).toBe('valid');
    expect(state.signers).toEqual(expect.arrayContaining([expect.objectContaining({ trusted: false })]));
    expect((await allRows(e)).some((r) => r.status === 'verified')).toBe(false);
  });

  it('a dropped event: the gap is reported and nothing is verified', async () => {
    const tampered = await tamper(good.bytes, (files) => {
      const all = lines(files, 'data/events.ndjson');
      all.splice(10, 1);
      setLines(files, 'data/events.ndjson', all);
    }, true);
    const { engine: e, id } = await open(tampered);
    const state = bundleState(e, id);
    expect(state.verdict).toBe('invalid');
    expect(state.failures.map((f) => f.code)).toEqual(expect.arrayContaining(['SEAL_MISMATCH']));
    expect(state.failures.some((f) => f.check === 'proof' || f.check === 'completeness')).toBe(true);
    expect(e.state().rows).toBe(good.shown.length - 1);
    expect((await allRows(e)).every((r) => r.status === 'failed')).toBe(true);
  });

  it.each([true, false])('a wrong CRC-32 on events.ndjson fails the bundle, whichever read checks it (shared bytes: %s)', async (shareEventBytes) => {
    const { openZip } = await import('@custody/bundle');
    const entry = (await openZip(source(good.bytes))).entries.find((e) => e.name.endsWith('data/events.ndjson'));
    if (entry === undefined) throw new Error('no events.ndjson');
    const crc = new Uint8Array(new Uint32Array([entry.crc32]).buffer);
    const bad = good.bytes.slice();
    let replaced = 0;
    for (let i = 0; i + 4 <= bad.length; i++) {
      if (bad[i] === crc[0] && bad[i + 1] === crc[1] && bad[i + 2] === crc[2] && bad[i + 3] === crc[3]) {
        bad[i] = (crc[0] as number) ^ 1;
        replaced += 1;
      }
    }
    expect(replaced).toBeGreaterThanOrEqual(2); // the local header and the central directory
    const { engine: e, id } = await open(bad, [SIGNER.vkey], createViewerEngine({ notifyIntervalMs: 0, shareEventBytes }));
    const state = bundleState(e, id);
    expect(state.verdict).not.toBe('valid');
    expect(JSON.stringify(state.failures)).toMatch(/CRC-32 mismatch/);
    expect((await allRows(e)).some((r) => r.status === 'verified')).toBe(false);
  });

  it("hands the verifier the loader's bytes of events.ndjson instead of letting it read the entry again", async () => {
    const { openZip } = await import('@custody/bundle');
    const entry = (await openZip(source(good.bytes))).entries.find((e) => e.name.endsWith('data/events.ndjson'));
    if (entry === undefined) throw new Error('no events.ndjson');
    const readOfEvents = async (shareEventBytes: boolean): Promise<number> => {
      const inner = source(good.bytes);
      let bytes = 0;
      const counting = {
        size: inner.size,
        read: (offset: number, length: number) => {
          const from = Math.max(offset, entry.dataOffset);
          const to = Math.min(offset + length, entry.dataOffset + entry.compressedSize);
          if (to > from) bytes += to - from;
          return inner.read(offset, length);
        },
      };
      const e = createViewerEngine({ notifyIntervalMs: 0, shareEventBytes });
      const id = await e.openBundle(counting, { fileName: 'bundle.zip', trustedKeys: [SIGNER.vkey] });
      await e.whenIdle();
      expect(bundleState(e, id).verdict).toBe('valid');
      return bytes / entry.compressedSize;
    };
    // Not shared, the verifier reads the entry's compressed bytes once more (small reads of the neighbouring files
    // overlap the range too, the same in both cases).
    const shared = await readOfEvents(true);
    expect(await readOfEvents(false)).toBeCloseTo(shared + 1, 1);
  });

  it('hostile input: not a zip, truncated, a zip bomb are unusable with a message; the engine keeps working', async () => {
    const e = createViewerEngine({ notifyIntervalMs: 0 });
    const cases: [string, Uint8Array, RegExp][] = [
      ['notzip', new TextEncoder().encode('just some text, not an archive\n'.repeat(100)), /not a zip/i],
      ['truncated', good.bytes.slice(0, Math.floor(good.bytes.length / 2)), /truncated/i],
      ['bomb', await zipBomb(), /compression ratio/i],
    ];
    for (const [name, bytes, message] of cases) {
      const id = await e.openBundle(source(bytes), { fileName: `${name}.zip`, trustedKeys: [SIGNER.vkey] });
      await e.whenIdle(id);
      const state = bundleState(e, id);
      expect(state.phase, name).toBe('unusable');
      expect(state.verdict, name).toBe('unusable');
      expect(state.failures[0]?.message, name).toMatch(message);
    }
    expect(e.state().rows).toBe(0);
    const id = await e.openBundle(source(good.bytes), { fileName: 'good.zip', trustedKeys: [SIGNER.vkey] });
    await e.whenIdle();
    expect(bundleState(e, id).verdict).toBe('valid');
    expect((await e.view(ALL, TIME)).total).toBe(good.shown.length);
  });
});

describe('queries', () => {
  const field = (f: string, value: string, op: 'eq' | 'prefix' | 'cidr' = 'eq', negate = false): TQueryTerm =>
    ({ kind: 'field', field: f as never, op, value, negate });
  const textTerm = (value: string, negate = false): TQueryTerm => ({ kind: 'text', value, negate });
  const e = (row: TViewerRow): LoggedEvent => events.get(row.seq) as LoggedEvent;
  const ipIn = (ip: string, prefix: string): boolean => ip.startsWith(prefix);
  const words = (row: TViewerRow): Set<string> => new Set(searchFields(e(row)).flat());
  const phrase = (row: TViewerRow, ws: string[]): boolean =>
    searchFields(e(row)).some((f) => f.some((_, i) => ws.every((w, k) => f[i + k] === w)));

  beforeAll(async () => {
    const some = rows.filter((_, i) => i % 4 === 0).map((r) => r.rowId);
    await engine.annotate(some, { addTags: ['Exfil'] });
    await engine.annotate(some.slice(0, 3), { starred: true });
    await engine.annotate([some[1] as number], { note: 'look here' });
    rows = await allRows(engine);
  });

  const cases: [string, TQueryTerm[], (r: TViewerRow) => boolean][] = [
    ['action eq', [field('action', 'USER.signed_in')], (r) => r.action === 'user.signed_in'],
    ['action prefix', [field('action', 'document.*', 'prefix')], (r) => r.action.startsWith('document.')],
    ['action negated', [field('action', 'user.signed_in', 'eq', true)], (r) => r.action !== 'user.signed_in'],
    ['actor.id', [field('actor.id', 'User_1')], (r) => r.actorId === 'user_1'],
    ['actor.type', [field('actor.type', 'api_key')], (r) => r.actorType === 'api_key'],
    ['actor.name prefix', [field('actor.name', 'user 2', 'prefix')], (r) => (r.actorName ?? '').toLowerCase().startsWith('user 2')],
    ['target.id', [field('target.id', 'doc_10')], (r) => e(r).targets.some((t) => t.id === 'doc_10')],
    ['target.type', [field('target.type', 'folder')], (r) => e(r).targets.some((t) => t.type === 'folder')],
    ['target.type negated', [field('target.type', 'folder', 'eq', true)], (r) => !e(r).targets.some((t) => t.type === 'folder')],
    ['ip eq', [field('ip', '10.1.2.12')], (r) => r.ip === '10.1.2.12'],
    ['ip eq IPv6 other notation', [field('ip', '2001:DB8:0:0:0:0:0:7')], (r) => r.ip === '2001:db8::7'],
    ['ip cidr v4', [field('ip', '10.1.0.0/16', 'cidr')], (r) => ipIn(r.ip, '10.1.')],
    ['ip cidr v4 narrow', [field('ip', '192.168.1.0/24', 'cidr')], (r) => ipIn(r.ip, '192.168.1.')],
    ['ip cidr v6', [field('ip', '2001:db8::/32', 'cidr')], (r) => r.ip.startsWith('2001:db8:')],
    ['ip cidr v6 /48', [field('ip', '2001:db8:1::/48', 'cidr')], (r) => r.ip.startsWith('2001:db8:1:')],
    ['ip cidr negated', [field('ip', '10.0.0.0/8', 'cidr', true)], (r) => !r.ip.startsWith('10.')],
    ['ip prefix', [field('ip', '192.168.2.', 'prefix')], (r) => r.ip.startsWith('192.168.2.')],
    ['ua prefix', [field('ua', 'CURL/', 'prefix')], (r) => (r.userAgent ?? '').startsWith('curl/')],
    ['bundle', [field('bundle', 'b1')], () => true],
    ['control eq', [field('control', 'acme000003')], (r) => r.controlNumber === 'ACME000003'],
    ['control prefix', [field('control', 'ACME00001', 'prefix')], (r) => (r.controlNumber ?? '').startsWith('ACME00001')],
    ['seq eq', [field('seq', '10')], (r) => r.seq === 10],
    ['seq prefix', [field('seq', '1', 'prefix')], (r) => String(r.seq).startsWith('1')],
    ['status', [field('status', 'verified')], (r) => r.status === 'verified'],
    ['tag', [field('tag', 'exfil')], (r) => r.tags.includes('Exfil')],
    ['meta string', [field('meta.permission', 'VIEW')], (r) => e(r).metadata.permission === 'view'],
    ['meta boolean', [field('meta.notify', 'true')], (r) => e(r).metadata.notify === true],
    ['meta number', [field('meta.expires_in_days', '3')], (r) => e(r).metadata.expires_in_days === 3],
    ['meta null', [field('meta.reason', 'null')], (r) => e(r).metadata.reason === null],
    ['meta CIDR block', [field('meta.forwarded_for', '10.0.0.0/8', 'cidr')], (r) => String(e(r).metadata.forwarded_for ?? '').startsWith('10.')],
    ['time', [{ kind: 'time', after: Date.UTC(2026, 2, 14, 8, 10), before: Date.UTC(2026, 2, 14, 8, 40) }], (r) => r.time >= Date.UTC(2026, 2, 14, 8, 10) && r.time < Date.UTC(2026, 2, 14, 8, 40)],
    ['starred', [{ kind: 'flag', flag: 'starred' }], (r) => r.starred],
    ['noted', [{ kind: 'flag', flag: 'noted' }], (r) => r.hasNote],
    ['not tagged', [{ kind: 'flag', flag: 'tagged', negate: true }], (r) => r.tags.length === 0],
    ['text word', [textTerm('Quarterly')], (r) => words(r).has('quarterly')],
    ['text words anywhere', [textTerm('report 3')], (r) => words(r).has('report') && words(r).has('3')],
    ['text phrase', [textTerm('"quarterly report 3"')], (r) => phrase(r, ['quarterly', 'report', '3'])],
    ['text phrase reversed', [textTerm('"report quarterly"')], () => false],
    ['text unicode', [textTerm('MÜLLER')], (r) => words(r).has('müller')],
    ['text punctuation', [textTerm('req_1f')], (r) => words(r).has('req') && words(r).has('1f')],
    ['text phrase in request id', [textTerm('"req 1f"')], (r) => phrase(r, ['req', '1f'])],
    ['text prefix', [textTerm('firef*')], (r) => [...words(r)].some((w) => w.startsWith('firef'))],
    ['text prefix, non-ASCII', [textTerm('MÜL*')], (r) => [...words(r)].some((w) => w.startsWith('mül'))],
    ['text prefix, a whole word', [textTerm('müller*')], (r) => [...words(r)].some((w) => w.startsWith('müller'))],
    ['text negated', [textTerm('curl', true)], (r) => !words(r).has('curl')],
    ['text with quotes in metadata', [textTerm('"legal hold review"')], (r) => phrase(r, ['legal', 'hold', 'review'])],
    ['combined', [field('action', 'document.', 'prefix'), field('ip', '10.0.0.0/8', 'cidr'), textTerm('report')],
      (r) => r.action.startsWith('document.') && r.ip.startsWith('10.') && words(r).has('report')],
  ];

  it.each(cases)('%s', async (_name, terms, expected) => {
    const got = await allRows(engine, { terms });
    const want = rows.filter(expected);
    expect(got.map((r) => r.rowId)).toEqual(want.map((r) => r.rowId));
    expect(got.length, 'each query should match something or be a deliberate empty case').toBeGreaterThanOrEqual(_name.includes('reversed') ? 0 : 1);
  });

  it('full text skips metadata numbers, booleans and null, as the server does', async () => {
    expect(rows.some((r) => e(r).metadata.notify === true), 'the fixture has boolean metadata').toBe(true);
    const got = await allRows(engine, { terms: [textTerm('true')] });
    expect(got.map((r) => r.rowId)).toEqual(rows.filter((r) => words(r).has('true')).map((r) => r.rowId));
    expect(got.filter((r) => e(r).metadata.notify === true && !words(r).has('true'))).toEqual([]);
  });

  it('rejects a bad CIDR block and a CIDR on a text field', async () => {
    await expect(engine.view({ terms: [field('ip', '10.0.0.1/8', 'cidr')] }, TIME)).rejects.toThrow(/host bits/);
    await expect(engine.view({ terms: [field('action', '10.0.0.0/8', 'cidr')] }, TIME)).rejects.toThrow(/CIDR/);
  });

  const sortKey: Record<TSortColumn, (r: TViewerRow) => string | number> = {
    time: (r) => r.time,
    seq: (r) => r.seq,
    action: (r) => r.action.toLowerCase(),
    actor: (r) => r.actorId.toLowerCase(),
    ip: (r) => ipSortKey(r.ip),
    control: (r) => r.controlNumber ?? '',
  };
  it.each(Object.keys(sortKey) as TSortColumn[])('sorts by %s, both directions, ties in time order', async (column) => {
    const timeOrder = rows.map((r) => r.rowId);
    const key = sortKey[column];
    const expected = [...rows].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : timeOrder.indexOf(a.rowId) - timeOrder.indexOf(b.rowId);
    });
    const asc = await allRows(engine, ALL, { column, direction: 'asc' });
    expect(asc.map(key)).toEqual(expected.map(key));
    expect(asc.map((r) => r.rowId)).toEqual(expected.map((r) => r.rowId));
    const desc = await allRows(engine, ALL, { column, direction: 'desc' });
    expect(desc.map((r) => r.rowId)).toEqual(asc.map((r) => r.rowId).reverse());
  });

  it('time order is stable (bundle, then seq) and locate finds rows', async () => {
    const expected = [...rows].sort((a, b) => a.time - b.time || a.seq - b.seq);
    expect(rows.map((r) => r.rowId)).toEqual(expected.map((r) => r.rowId));
    const view = await engine.view(ALL, { column: 'seq', direction: 'desc' });
    const target = rows[5] as TViewerRow;
    const at = await engine.locate(view.viewId, target.rowId);
    expect((await engine.rows(view.viewId, at as number, 1))[0]?.rowId).toBe(target.rowId);
    const narrow = await engine.view({ terms: [field('seq', String(target.seq), 'eq', true)] }, TIME);
    expect(await engine.locate(narrow.viewId, target.rowId)).toBeNull();
  });

  it('histogram counts per bucket with nice widths and the failed overlay', async () => {
    const view = await engine.view({ terms: [field('action', 'user.', 'prefix')] }, TIME);
    const h = await engine.histogram(view.viewId, { buckets: 12 });
    expect([1, 2, 5, 10, 15, 30].map((m) => m * 60_000).concat([3_600_000, 7_200_000])).toContain(h.bucketMs);
    expect(h.from % h.bucketMs).toBe(0);
    expect(h.to).toBe(h.from + h.counts.length * h.bucketMs);
    const members = rows.filter((r) => r.action.startsWith('user.'));
    const reference = new Array<number>(h.counts.length).fill(0);
    for (const r of members) reference[Math.floor((r.time - h.from) / h.bucketMs)]! += 1;
    expect(h.counts).toEqual(reference);
    expect(h.failed).toEqual(reference.map(() => 0));
    const window = await engine.histogram(view.viewId, { from: Date.UTC(2026, 2, 14, 8, 0), to: Date.UTC(2026, 2, 14, 9, 0), buckets: 6 });
    expect(window.bucketMs).toBe(600_000);
    expect(window.counts.reduce((a, b) => a + b, 0)).toBe(members.filter((r) => r.time >= window.from && r.time < Date.UTC(2026, 2, 14, 9, 0)).length);
  });

  it('facets count top values like a naive reference', async () => {
    const view = await engine.view({ terms: [field('actor.type', 'user')] }, TIME);
    const members = rows.filter((r) => r.actorType === 'user');
    const facets = await engine.facets(view.viewId, ['action', 'actor.id', 'target.type', 'ip', 'meta.permission', 'status', 'bundle', 'tag'], 3);
    const top = (values: string[]): { value: string; count: number }[] => {
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, 3);
    };
    expect(facets.action).toEqual(top(members.map((r) => r.action)));
    expect(facets['actor.id']).toEqual(top(members.map((r) => r.actorId)));
    expect(facets['target.type']).toEqual(top(members.flatMap((r) => [...new Set(e(r).targets.map((t) => t.type))])));
    expect(facets.ip).toEqual(top(members.map((r) => r.ip)));
    expect(facets['meta.permission']).toEqual(top(members.map((r) => String(e(r).metadata.permission))));
    expect(facets.status).toEqual([{ value: 'verified', count: members.length }]);
    expect(facets.bundle).toEqual([{ value: bundleId, count: members.length }]);
    expect(facets.tag).toEqual(top(members.flatMap((r) => r.tags)));
  });

  it('context gives neighbours in time order', async () => {
    const middle = rows[20] as TViewerRow;
    const ctx = await engine.context(middle.rowId, { before: 3, after: 2 });
    expect(ctx.index).toBe(3);
    expect(ctx.rows.map((r) => r.rowId)).toEqual(rows.slice(17, 23).map((r) => r.rowId));
    const first = await engine.context((rows[0] as TViewerRow).rowId, { before: 5, after: 1 });
    expect(first.index).toBe(0);
    expect(first.rows).toHaveLength(2);
  });
});

describe('multiple bundles', () => {
  it('merges timelines with unique row ids; each bundle is verified on its own', async () => {
    const second = await buildBundle({ mode: 'selected', selected: [1, 2, 3, 30, 31, 57], prefix: 'BETA', bagName: 'BETA-1', signer: FOREIGN.skey });
    const e = createViewerEngine({ notifyIntervalMs: 0, trustedKeys: [SIGNER.vkey] });
    const a = await e.openBundle(source(good.bytes), { fileName: 'a.zip' });
    const b = await e.openBundle(source(second.bytes), { fileName: 'b.zip' });
    await e.whenIdle();
    expect(bundleState(e, a).verdict).toBe('valid');
    expect(bundleState(e, b).verdict).toBe('invalid');
    const merged = await allRows(e);
    expect(merged).toHaveLength(good.shown.length + second.shown.length);
    expect(new Set(merged.map((r) => r.rowId)).size).toBe(merged.length);
    for (let i = 1; i < merged.length; i++) {
      const p = merged[i - 1] as TViewerRow;
      const c = merged[i] as TViewerRow;
      expect(p.time < c.time || (p.time === c.time && (p.bundleId < c.bundleId || (p.bundleId === c.bundleId && p.seq < c.seq)))).toBe(true);
    }
    expect(merged.filter((r) => r.bundleId === a).every((r) => r.status === 'verified')).toBe(true);
    expect(merged.filter((r) => r.bundleId === b).every((r) => r.status === 'failed')).toBe(true);
    expect(merged.filter((r) => r.bundleId === b).map((r) => r.controlNumber)).toEqual(expect.arrayContaining(['BETA000001', 'BETA000006']));
    const view = await e.view({ terms: [{ kind: 'field', field: 'bundle', op: 'eq', value: 'b.zip' }] }, TIME);
    expect(view.total).toBe(second.shown.length);
    const ctx = await e.context((merged[10] as TViewerRow).rowId, { before: 10, after: 10 });
    expect(ctx.rows.map((r) => r.rowId)).toEqual(merged.slice(0, 21).map((r) => r.rowId));
    await e.closeBundle(b);
    expect((await e.view(ALL, TIME)).total).toBe(good.shown.length);
    expect(e.state().bundles.map((s) => s.bundleId)).toEqual([a]);
  });
});

describe('case file, export and report', () => {
  it('annotations, saved views and the hash-chained log round-trip; tampering with the log is detected', async () => {
    let clock = Date.UTC(2026, 3, 1, 12);
    const e1 = createViewerEngine({ notifyIntervalMs: 0, reviewer: 'Rita Reviewer', now: () => (clock += 1000) });
    await open(good.bytes, [SIGNER.vkey], e1);
    const r = await allRows(e1);
    await e1.annotate([(r[1] as TViewerRow).rowId, (r[2] as TViewerRow).rowId], { addTags: ['exfil', 'Pivot'] });
    await e1.annotate([(r[2] as TViewerRow).rowId], { removeTags: ['PIVOT'], starred: true, note: 'Shared outside the company' });
    await e1.view({ terms: [{ kind: 'text', value: 'report' }] }, TIME);
    await e1.saveView({ name: 'Reports', query: 'report', sort: TIME, columns: ['time', 'action'] });
    const json = await e1.caseFile();
    const parsed = JSON.parse(json) as { annotations: unknown[]; log: { action: string; prev: string; hash: string }[]; bundles: { sha256: string }[] };
    expect(parsed.bundles[0]?.sha256).toBe(good.sha256);
    expect(parsed.annotations).toHaveLength(2);
    expect(parsed.log.map((x) => x.action)).toEqual(['bundle.open', 'bundle.verify', 'view.filter', 'annotate.tag', 'annotate.tag', 'annotate.star', 'annotate.note', 'view.filter', 'view.save']);
    parsed.log.forEach((entry, i) => expect(entry.prev).toBe(i === 0 ? '0'.repeat(64) : parsed.log[i - 1]?.hash));
    expect(verifyCaseFileLog(json)).toEqual(expect.objectContaining({ valid: true, entries: 9 }));

    const e2 = createViewerEngine({ notifyIntervalMs: 0 });
    const verification = await e2.loadCaseFile(json);
    expect(verification.valid).toBe(true);
    await open(good.bytes, [SIGNER.vkey], e2);
    const r2 = await allRows(e2);
    expect(r2[1]?.tags).toEqual(['exfil', 'Pivot']);
    expect([r2[2]?.tags, r2[2]?.starred, r2[2]?.hasNote]).toEqual([['exfil'], true, true]);
    expect((await e2.event((r2[2] as TViewerRow).rowId)).note).toBe('Shared outside the company');
    expect(await e2.savedViews()).toEqual([{ name: 'Reports', query: 'report', sort: TIME, columns: ['time', 'action'] }]);
    const continued = JSON.parse(await e2.caseFile()) as { log: { action: string; reviewer: string | null }[] };
    expect(continued.log.slice(0, 9)).toEqual(parsed.log);
    expect(continued.log.map((x) => x.action).slice(9)).toEqual(['case.open', 'bundle.open', 'bundle.verify', 'view.filter']);
    expect(verifyCaseFileLog(JSON.stringify(continued)).valid).toBe(true);

    const edited = JSON.parse(json) as { log: { details: Record<string, unknown> }[] };
    (edited.log[3] as { details: Record<string, unknown> }).details.addTags = ['nothing'];
    const editCheck = verifyCaseFileLog(JSON.stringify(edited));
    expect(editCheck.valid).toBe(false);
    expect(editCheck.problems[0]).toEqual(expect.objectContaining({ index: 3, message: expect.stringMatching(/edited/) as unknown }));
    const removed = JSON.parse(json) as { log: unknown[] };
    removed.log.splice(4, 1);
    expect(verifyCaseFileLog(JSON.stringify(removed)).problems.map((p) => p.index)).toContain(4);
    const e3 = createViewerEngine();
    expect((await e3.loadCaseFile(JSON.stringify(edited))).valid).toBe(false);
  });

  it('exports exactly the visible rows, columns and order as RFC 4180 CSV', async () => {
    const hostile = await buildBundle({
      input: (seq) => (seq === 5 ? eventInput(seq, { actor: { id: 'x', type: 'user', name: 'Evil, "Quoted"\nName' } }) : undefined),
    });
    const { engine: e } = await open(hostile.bytes);
    const view = await e.view({ terms: [{ kind: 'field', field: 'action', op: 'prefix', value: 'user.' }] }, { column: 'actor', direction: 'desc' });
    const visible = await e.rows(view.viewId, 0, view.total);
    const result = await e.exportView(view.viewId, ['controlNumber', 'time', 'actorName', 'action', 'status'], 'csv');
    expect(result.rows).toBe(view.total);
    expect(result.bytes[0]).not.toBe(0xef);
    const csv = text(result.bytes);
    const records = parseCsv(csv);
    expect(records[0]).toEqual(['Control number', 'Time (UTC)', 'Actor name', 'Action', 'Status']);
    expect(records.slice(1)).toEqual(visible.map((r) => [r.controlNumber, new Date(r.time).toISOString(), r.actorName ?? '', r.action, r.status]));
    expect(csv).toContain('"Evil, ""Quoted""\nName"');
    expect(csv.endsWith('\r\n')).toBe(true);
    const log = JSON.parse(await e.caseFile()) as { log: { action: string; details: { sha256?: string } }[] };
    expect(log.log.at(-1)).toEqual(expect.objectContaining({ action: 'export.csv', details: expect.objectContaining({ sha256: result.sha256 }) as unknown }));
  });

  it('the findings report is self-contained and escapes hostile content', async () => {
    const hostile = await buildBundle({
      input: (seq) => (seq === 5 ? eventInput(seq, {
        actor: { id: '<b>id</b>', type: 'user', name: '<script>alert(1)</script>' },
        targets: [{ id: '"><img src=x onerror=alert(2)>', type: 'document' }],
      }) : undefined),
    });
    const { engine: e } = await open(hostile.bytes);
    const target = (await allRows(e)).find((r) => r.seq === 5) as TViewerRow;
    await e.annotate([target.rowId], { addTags: ['<i>tag</i>'], note: 'note </td><script>x</script>' });
    await e.setReviewer('Rita & <Co>');
    const html = await e.findingsReport({ title: 'Findings <ACME>' });
    expect(html).not.toMatch(/<script>|<img|<b>id|<i>tag/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('Rita &amp; &lt;Co&gt;');
    expect(html).toContain(hostile.sha256);
    expect(html).toContain(encodeBase64(hashLeaf(hostile.events.get(5) as Uint8Array)));
    expect(html).toContain('ACME000002');
    expect(html).toMatch(/SHA256:/);
    expect(html).not.toMatch(/<script|src=["']?http|<link/i);
    expect(html).toContain('@media print');
  });
});

/** A small RFC 4180 parser for the test. */
function parseCsv(csv: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i] as string;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && csv[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}
