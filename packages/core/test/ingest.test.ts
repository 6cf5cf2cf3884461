import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';
import { decodeBase64, openCheckpoint, verifyCheckpointChain, verifyConsistency, verifyInclusion } from '@custody/ledger';
import { parseLoggedEvent } from '@custody/schema';

import type { Custody } from '../src/index';
import { createTestCustody, event, LOG_NAME } from './helpers';

for (const dialect of DIALECTS) {
  describe(`${dialect}: ingest and the verifiable log`, () => {
    let custody: Custody;
    let vkey: string;
    let destroy: () => Promise<void>;
    beforeAll(async () => {
      ({ custody, vkey, destroy } = await createTestCustody(dialect));
      await custody.createOrganization({ id: 'org_a', name: 'A' });
      await custody.createOrganization({ id: 'org_b', name: 'B' });
    });
    afterAll(() => destroy());

    it('finds a name by full text whether its accents were typed precomposed or combining', async () => {
      await custody.createOrganization({ id: 'org_nfc', name: 'NFC' });
      await custody.ingestor.ingest('org_nfc', [
        event({ actor: { id: 'u_decomposed', type: 'user', name: 'A\u030Ake Lindqvist' } }),
        event({ actor: { id: 'u_precomposed', type: 'user', name: 'J\u00f6rg \u00c5kesson' } }),
      ]);
      const ids = async (q: string) => (await custody.events.list('org_nfc', { q }, { order: 'asc' })).events.map((e) => e.actor.id);
      expect(await ids('\u00e5ke')).toEqual(['u_decomposed']);
      expect(await ids('a\u030Ake')).toEqual(['u_decomposed']);
      expect(await ids('jo\u0308rg')).toEqual(['u_precomposed']);
      expect(await ids('A\u030Ak*')).toEqual(['u_decomposed', 'u_precomposed']);
    });

    it('finds an event by its id typed in capitals (UUIDs compare case-insensitively)', async () => {
      await custody.createOrganization({ id: 'org_case', name: 'Case' });
      const [accepted] = await custody.ingestor.ingest('org_case', [event()]);
      const id = accepted?.status === 'accepted' ? accepted.id : '';
      expect((await custody.events.get('org_case', id.toUpperCase())).id).toBe(id);
      await expect(custody.events.get('org_case', `${id.slice(0, -1)}X`.toUpperCase())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('signs a size-0 checkpoint when an organization is created', async () => {
      const cp = await custody.log.latestCheckpoint('org_a');
      expect(cp.size).toBe(0);
      const opened = openCheckpoint(cp.note, [vkey]);
      expect(opened.origin).toBe(`${LOG_NAME}/org_a`);
    });

    it('accepts good events and rejects bad ones in the same batch, losing none', async () => {
      const results = await custody.ingestor.ingest('org_a', [event(), event({ action: 'Bad Action' }), event({ actor: { id: 'u_2', type: 'user' } })]);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
      const [first, bad, third] = results;
      expect(first).toMatchObject({ seq: 0 });
      expect(third).toMatchObject({ seq: 1 });
      expect(bad?.status === 'rejected' && bad.issues[0]?.path).toBe('action');
    });

    it('assigns consecutive seqs under concurrency, one log per organization', async () => {
      const calls = Array.from({ length: 40 }, (_, i) => custody.ingestor.ingest(i % 2 === 0 ? 'org_a' : 'org_b', [event({ actor: { id: `u_${i}`, type: 'user' } })]));
      const results = (await Promise.all(calls)).flat();
      const seqA = results.filter((_, i) => i % 2 === 0).map((r) => (r.status === 'accepted' ? r.seq : -1)).sort((a, b) => a - b);
      const seqB = results.filter((_, i) => i % 2 === 1).map((r) => (r.status === 'accepted' ? r.seq : -1)).sort((a, b) => a - b);
      expect(seqA).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      expect(seqB).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('returns the original result for a repeated idempotency key and body, and a conflict for another body', async () => {
      const [first] = await custody.ingestor.ingest('org_a', [event({ idempotency_key: 'k-1' })]);
      const [again] = await custody.ingestor.ingest('org_a', [event({ idempotency_key: 'k-1' })]);
      const [other] = await custody.ingestor.ingest('org_a', [event({ idempotency_key: 'k-1', metadata: { method: 'sso' } })]);
      expect(first?.status).toBe('accepted');
      expect(again).toMatchObject({ status: 'accepted', replayed: true, seq: first?.status === 'accepted' ? first.seq : -1 });
      expect(other).toMatchObject({ status: 'rejected', code: 'IDEMPOTENCY_CONFLICT' });
      // Within one batch too.
      const inBatch = await custody.ingestor.ingest('org_a', [event({ idempotency_key: 'k-2' }), event({ idempotency_key: 'k-2' })]);
      expect(inBatch[1]).toMatchObject({ status: 'accepted', replayed: true, seq: inBatch[0]?.status === 'accepted' ? inBatch[0].seq : -1 });
    });

    it('proves every event included in a signed checkpoint, and checkpoints consistent with each other', async () => {
      const before = await custody.log.latestCheckpoint('org_a', { fresh: true });
      await custody.ingestor.ingest('org_a', Array.from({ length: 50 }, (_, i) => event({ metadata: { i } })));
      const after = await custody.log.latestCheckpoint('org_a', { fresh: true });
      expect(after.size).toBe(before.size + 50);
      const head = openCheckpoint(after.note, [vkey]);
      for (let seq = 0; seq < after.size; seq += 7) {
        const p = await custody.log.inclusionProof('org_a', seq, after.size);
        const entry = await custody.log.entry('org_a', seq);
        expect(entry.text).not.toBeNull();
        const parsed = parseLoggedEvent(entry.text ?? '');
        expect(parsed.ok && parsed.event.seq).toBe(seq);
        verifyInclusion(decodeBase64(p.leafHash), BigInt(seq), head.size, p.proof.map(decodeBase64), head.root);
      }
      const c = await custody.log.consistencyProof('org_a', before.size, after.size);
      verifyConsistency(BigInt(before.size), BigInt(after.size), c.proof.map(decodeBase64), decodeBase64(before.root), head.root);
    });

    it('keeps the checkpoints a hash chain', async () => {
      const all = await custody.log.listCheckpoints('org_a');
      expect(all.length).toBeGreaterThanOrEqual(3);
      const links = [];
      for (let i = 0; i < all.length; i++) {
        const cp = all[i];
        if (cp === undefined) continue;
        const prev = all[i - 1];
        const proof = prev === undefined ? undefined : (await custody.log.consistencyProof('org_a', prev.size, cp.size)).proof.map(decodeBase64);
        links.push({ note: cp.note, ...(proof === undefined ? {} : { consistencyProof: proof }) });
      }
      expect(verifyCheckpointChain(links, [vkey]).length).toBe(all.length);
    });

    it('never signs two checkpoints of one size', async () => {
      const [a, b] = await Promise.all([custody.checkpointer.checkpoint('org_b'), custody.checkpointer.checkpoint('org_b')]);
      expect(a.size).toBe(b.size);
      const again = await custody.checkpointer.checkpoint('org_b');
      expect(again.note).toBe(a.note);
    });

    it('lists with filters and stable keyset cursors', async () => {
      const page1 = await custody.events.list('org_a', { actions: ['user.*'] }, { limit: 10, order: 'asc' });
      expect(page1.events).toHaveLength(10);
      await custody.ingestor.ingest('org_a', [event({ occurred_at: '2020-01-01T00:00:00Z' })]);
      const seen = new Set(page1.events.map((e) => e.seq));
      let cursor = page1.nextCursor;
      while (cursor !== null) {
        const next = await custody.events.list('org_a', { actions: ['user.*'] }, { limit: 10, cursor });
        for (const e of next.events) {
          expect(seen.has(e.seq)).toBe(false);
          seen.add(e.seq);
        }
        cursor = next.nextCursor;
      }
      // The event that arrived after the first page is not inserted into the running pagination.
      const total = (await custody.events.stats('org_a', { actions: ['user.*'] })).total;
      expect(seen.size).toBe(total - 1);
    });

    it('filters by actor, target, IP/CIDR, metadata and full text', async () => {
      await custody.ingestor.ingest('org_b', [
        event({ action: 'invoice.paid', actor: { id: 'u_x', type: 'admin' }, targets: [{ id: 'inv_9', type: 'invoice' }], context: { location: '2001:db8::1' }, metadata: { amount: 42 } }),
      ]);
      const by = async (filter: Parameters<Custody['events']['list']>[1]) => (await custody.events.list('org_b', filter)).events.map((e) => e.actor.id);
      expect(await by({ actorType: 'admin' })).toEqual(['u_x']);
      expect(await by({ targetId: 'inv_9' })).toEqual(['u_x']);
      expect(await by({ ip: '2001:db8::/32' })).toEqual(['u_x']);
      expect(await by({ ip: '10.0.0.0/8', actions: ['invoice.paid'] })).toEqual([]);
      expect(await by({ metadata: { amount: '42' } })).toEqual(['u_x']);
      expect(await by({ q: 'INV_9 paid' })).toEqual(['u_x']);
      expect((await by({ q: 'firefox' })).length).toBe(20);
    });
  });
}
