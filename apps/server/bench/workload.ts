/**
 * A deterministic, realistic audit workload: skewed actors, 48 actions under 8 prefixes, targets,
 * IPs from a few networks, user agents, metadata, and times spread over 90 days.
 */

const PREFIXES = ['user', 'document', 'invoice', 'team', 'api_key', 'billing', 'project', 'sso'];
const VERBS = ['created', 'updated', 'deleted', 'viewed', 'exported', 'shared'];
export const ACTIONS = PREFIXES.flatMap((p) => VERBS.map((v) => `${p}.${v}`));
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0',
  'okhttp/4.12.0',
  'python-requests/2.32.3',
];
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen', 'Ken Thompson'];
export const ACTORS = 2_000;
export const START_MS = Date.parse('2026-06-01T00:00:00Z');
export const SPAN_MS = 90 * 24 * 3600 * 1000;

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Event number `i` of the workload (same `i`, same event). */
export function workloadEvent(i: number): Record<string, unknown> {
  const r = prng(i * 2654435761);
  // Skewed actors: a few are very active.
  const actor = Math.floor(ACTORS * r() ** 3);
  const action = ACTIONS[Math.floor(r() * ACTIONS.length)] ?? 'user.viewed';
  const net = Math.floor(r() * 4);
  const ip = net === 3 ? `2001:db8:${Math.floor(r() * 65535).toString(16)}::${Math.floor(r() * 65535).toString(16)}` : `${[10, 172, 192][net]}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
  const prefix = action.split('.')[0] ?? 'user';
  return {
    action,
    occurred_at: new Date(START_MS + Math.floor((i / 10_000_000) * SPAN_MS) + Math.floor(r() * 60_000)).toISOString(),
    actor: { id: `user_${actor}`, type: actor % 50 === 0 ? 'service' : 'user', name: NAMES[actor % NAMES.length] },
    targets: [{ id: `${prefix}_${Math.floor(r() * 100_000)}`, type: prefix }],
    context: { location: ip, user_agent: AGENTS[Math.floor(r() * AGENTS.length)], request_id: `req_${i.toString(36)}` },
    metadata: { plan: r() < 0.2 ? 'enterprise' : 'team', attempt: Math.floor(r() * 5), mfa: r() < 0.7 },
  };
}

/**
 * Where a dataset's signing key is kept, beside it (`query-1000000.db` → `query-1000000.db.signing.key`): a server
 * refuses to start on a database signed with a key it does not have, so the benches that start one on the dataset,
 * or on a copy, give it this key.
 */
export function datasetKeyFile(database: string): string {
  return `${database}.signing.key`;
}
