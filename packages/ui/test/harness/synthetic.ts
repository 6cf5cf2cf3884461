/**
 * Deterministic synthetic audit rows: a realistic mix of actions, actors, IPs and user agents, with
 * failed and pending rows, annotations and metadata. `lazySyntheticRows(2_000_000)` builds rows on demand.
 */
import type { TRowStatus } from '../../src/data-source';
import type { TLazyRows, TMemoryRow } from './memory-data-source';

/** 2026-01-05T00:00:00Z: where the synthetic timelines start. */
export const BASE_TIME = Date.UTC(2026, 0, 5);

const ACTIONS = [
  'user.signed_in', 'user.signed_in', 'user.signed_in', 'document.viewed', 'document.viewed', 'document.viewed',
  'document.updated', 'document.shared', 'document.deleted', 'user.signed_out', 'user.password_changed',
  'user.mfa_enabled', 'api_key.created', 'api_key.revoked', 'billing.invoice_paid', 'org.member_invited',
  'org.member_removed', 'org.role_changed', 'export.created', 'user.viewed',
];
const ACTORS: readonly { type: string; id: string; name: string | null }[] = [
  { type: 'user', id: 'u_alice', name: 'Alice Martin' },
  { type: 'user', id: 'u_bob', name: 'Bob Chen' },
  { type: 'user', id: 'u_carol', name: 'Carol Díaz' },
  { type: 'user', id: 'u_dmitri', name: 'Dmitri Volkov' },
  { type: 'user', id: 'u_erin', name: 'Erin O’Brien' },
  { type: 'user', id: 'u_farah', name: 'Farah Haddad' },
  { type: 'user', id: 'u_123', name: 'Grace Hopper' },
  { type: 'service', id: 'svc_billing', name: 'Billing worker' },
  { type: 'service', id: 'svc_sync', name: null },
  { type: 'api_key', id: 'key_ci_deploy', name: 'CI deploy key' },
];
const IPS = ['10.0.4.17', '10.0.9.201', '10.12.0.5', '192.168.1.44', '203.0.113.7', '198.51.100.23', '2001:db8::5', '172.16.3.9', '203.0.113.250'];
const AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0',
  'curl/8.5.0',
  'billing-worker/2.3',
  'custody-sdk-node/1.4.0',
];
const TARGET_TYPES = ['document', 'document', 'account', 'invoice', 'api_key', 'member'];
const PLANS = ['enterprise', 'pro', 'free'];
const REGIONS = ['eu-west-1', 'us-east-1'];

/** A 32-bit integer hash (Murmur3's finalizer): deterministic pseudo-randomness per row. */
export function mix(i: number): number {
  let h = (i ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const pick = <T>(list: readonly T[], h: number): T => list[h % list.length] as T;

/** The parts of a row that depend only on its number. */
function makeRow(i: number, time: number, status: TRowStatus, bundleId: string): TMemoryRow {
  const h = mix(i);
  const actor = pick(ACTORS, h >>> 3);
  const action = actor.type === 'service' && actor.id === 'svc_billing' ? 'billing.invoice_paid' : pick(ACTIONS, h >>> 7);
  const targetType = pick(TARGET_TYPES, h >>> 11);
  const targets = action.startsWith('user.') ? `account:acct_${actor.id}` : h % 5 === 0 ? `${targetType}:${targetType.slice(0, 3)}_${h % 97}; member:u_ext_${h % 31}` : `${targetType}:${targetType.slice(0, 3)}_${h % 97}`;
  const tags: string[] = [];
  if (h % 97 === 0) tags.push('important');
  if (h % 53 === 1) tags.push('reviewed');
  return {
    rowId: i,
    bundleId,
    seq: i,
    controlNumber: `ACME-${String(i + 1).padStart(7, '0')}`,
    time,
    action,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    targets,
    ip: actor.type === 'service' ? '10.0.0.5' : pick(IPS, h >>> 13),
    userAgent: actor.type === 'service' && h % 3 === 0 ? null : pick(AGENTS, h >>> 17),
    status,
    tags,
    starred: h % 151 === 2,
    hasNote: h % 211 === 3,
    meta: { plan: pick(PLANS, h >>> 19), region: pick(REGIONS, h >>> 23) },
  };
}

/**
 * `count` rows, one every ~15 s in time order, rowId = position: failed about every 10,000th row,
 * pending for the last 500 (verification still running on the tail), split across two bundles.
 */
export function lazySyntheticRows(count: number): TLazyRows {
  return {
    length: count,
    sortedByTime: true,
    at(i) {
      const h = mix(i);
      const time = BASE_TIME + i * 15_000 + (h % 15_000);
      const status: TRowStatus = i % 9973 === 17 ? 'failed' : i >= count - 500 ? 'pending' : 'verified';
      return makeRow(i, time, status, i < count / 2 ? 'acme-2026-h1' : 'acme-2026-h2');
    },
  };
}

/**
 * A realistic case of `count` rows (default 6,000) over about two weeks: busier office hours, an
 * incident burst, three bundles (b1 verified, b2 with a tampered range, b3 still verifying).
 */
export function sampleRows(count = 6000): TMemoryRow[] {
  const rows: TMemoryRow[] = [];
  let t = BASE_TIME + 7 * 3_600_000;
  for (let i = 0; i < count; i++) {
    const h = mix(i + 7);
    const hour = Math.floor(t / 3_600_000) % 24;
    const office = hour >= 8 && hour < 18 ? 4 : 1;
    const burst = i >= count * 0.5 && i < count * 0.55 ? 12 : 1;
    t += Math.round(((260_000 / office / burst) * (0.4 + (h % 1000) / 800)));
    const bundleId = i < count * 0.5 ? 'b1' : i < count * 0.8 ? 'b2' : 'b3';
    let status: TRowStatus = 'verified';
    if ((i >= Math.floor(count * 0.68) && i < Math.floor(count * 0.68) + 40) || i === Math.floor(count * 0.76)) status = 'failed';
    if (i >= count * 0.9) status = 'pending';
    rows.push(makeRow(i, t, status, bundleId));
  }
  return rows;
}
