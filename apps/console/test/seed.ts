/**
 * A deterministic data set for the browser suites: 120 events over about 34 hours, four actors, several
 * actions, IPv4 and IPv6 addresses, documents, invoices and metadata. Suites compute their expectations from
 * this list, never from hand-written counts.
 */
import type { TClient } from './harness';

export interface TSeedEvent {
  action: string;
  occurred_at: string;
  actor: { id: string; type: string; name: string };
  targets: { id: string; type: string; name?: string }[];
  context: { location: string; user_agent: string };
  metadata: Record<string, string | number | boolean>;
}

/** A seeded event with the seq the server gave it. */
export interface TSeeded extends TSeedEvent {
  seq: number;
  id: string;
}

const ACTORS = [
  { id: 'u_alice', type: 'user', name: 'Alice Martin', ip: '203.0.113.10', ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
  { id: 'u_bob', type: 'user', name: 'Bob Chen', ip: '198.51.100.23', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 Chrome/126.0 Safari/537.36' },
  { id: 'u_carol', type: 'user', name: 'Carol Diaz', ip: '10.1.2.3', ua: 'curl/8.5.0' },
] as const;
const SERVICE = { id: 'svc_billing', type: 'service', name: 'Billing worker', ip: '10.0.0.5', ua: 'billing-worker/2.3' } as const;

const DOCUMENTS = ['Quarterly report Q1', 'Board minutes March', 'Merger agreement draft', 'Security policy v4', 'Vendor contract Acme'];
const BASE = Date.parse('2026-03-02T00:00:00.000Z');
const STEP_MS = 17 * 60_000;

/** The events, in ingest order (occurrence times are increasing). */
export function seedEvents(count = 120): TSeedEvent[] {
  const events: TSeedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const occurred = new Date(BASE + i * STEP_MS).toISOString();
    const actor = ACTORS[i % 3] ?? ACTORS[0];
    const kind = i % 6;
    const base = { occurred_at: occurred, actor: { id: actor.id, type: actor.type, name: actor.name } };
    // One event from an IPv6 address, so CIDR filters are exercised on both families.
    const ip = i === 7 ? '2001:db8::7' : actor.ip;
    const context = { location: ip, user_agent: actor.ua };
    if (kind === 0 || kind === 3) {
      events.push({ ...base, action: 'user.signed_in', targets: [{ id: `acct_${actor.id}`, type: 'account' }], context, metadata: { method: i % 4 === 0 ? 'sso' : 'password' } });
    } else if (kind === 1) {
      const d = i % DOCUMENTS.length;
      events.push({ ...base, action: 'document.viewed', targets: [{ id: `doc_${d}`, type: 'document', name: DOCUMENTS[d] ?? 'Document' }], context, metadata: { page: (i % 9) + 1 } });
    } else if (kind === 2) {
      events.push({ ...base, action: 'user.signed_out', targets: [{ id: `acct_${actor.id}`, type: 'account' }], context, metadata: {} });
    } else if (kind === 4) {
      const d = (i + 2) % DOCUMENTS.length;
      events.push({
        ...base,
        action: 'document.shared',
        targets: [
          { id: `doc_${d}`, type: 'document', name: DOCUMENTS[d] ?? 'Document' },
          { id: `u_ext_${i}`, type: 'user', name: 'External reviewer' },
        ],
        context,
        metadata: { permission: i % 2 === 0 ? 'view' : 'edit' },
      });
    } else {
      events.push({
        action: 'billing.invoice_paid',
        occurred_at: occurred,
        actor: { id: SERVICE.id, type: SERVICE.type, name: SERVICE.name },
        targets: [{ id: `inv_${1000 + i}`, type: 'invoice' }],
        context: { location: SERVICE.ip, user_agent: SERVICE.ua },
        metadata: { amount_cents: 1900 + i * 10, currency: 'EUR' },
      });
    }
  }
  return events;
}

/**
 * Ingests the events in three batches, signing a checkpoint after each (so the log page shows a chain), and
 * returns them with their seq and id.
 */
export async function ingestSeed(client: TClient, organizationId: string, events: TSeedEvent[] = seedEvents()): Promise<TSeeded[]> {
  const seeded: TSeeded[] = [];
  const third = Math.ceil(events.length / 3);
  for (let start = 0; start < events.length; start += third) {
    const batch = events.slice(start, start + third);
    const result = await client.events.createBatch.mutate({ organizationId, events: batch });
    result.results.forEach((r, i) => {
      const event = batch[i];
      if (r.status !== 'accepted' || event === undefined) throw new Error(`seed event ${start + i} was rejected: ${JSON.stringify(r)}`);
      seeded.push({ ...event, seq: r.seq, id: r.id });
    });
    await client.log.signCheckpoint.mutate({ organizationId });
  }
  return seeded;
}

/** Seqs of `events` in the console's default order (newest first; ties by seq). */
export function newestFirst(events: readonly TSeeded[]): number[] {
  return [...events].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.seq - a.seq).map((e) => e.seq);
}

/** Seqs of `events` oldest first. */
export function oldestFirst(events: readonly TSeeded[]): number[] {
  return newestFirst(events).reverse();
}
