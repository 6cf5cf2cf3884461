/**
 * The export filter in plain words, for the production report and `data/README.txt` ("the filter in plain words",
 * viewer.md §2.9 item 5). Understands the event filter of the query API (`TEventFilter` in `@custody/core`, read
 * structurally: this package does not depend on core) and prints anything else as canonical JSON, so nothing the
 * server applied is ever left out.
 */
import { canonicalize } from '@custody/schema';

const KNOWN = new Set([
  'actions', 'actorId', 'actorType', 'targetId', 'targetType', 'occurredAfter', 'occurredBefore', 'ip', 'metadata', 'q',
  'seqFrom', 'seqTo',
]);

/**
 * Describes a filter as one English sentence. Values are quoted as JSON strings, so spaces and punctuation in them
 * stay unambiguous. `null`, `undefined` and `{}` give `All events (no filter).`; unknown members, or values of
 * unexpected types, are appended as canonical JSON (`and other criteria, as recorded: {…}`). Never throws for JSON
 * data; the result is data (renderers escape it).
 *
 * ```ts
 * describeEventFilter({ actions: ['user.*'], actorId: 'u_1', occurredAfter: '2026-03-01T00:00:00.000Z' });
 * // 'Events whose action starts with "user."; whose actor id is "u_1"; that occurred at or after 2026-03-01T00:00:00.000Z.'
 * ```
 */
export function describeEventFilter(filter: unknown): string {
  if (filter === null || filter === undefined) return 'All events (no filter).';
  if (typeof filter !== 'object' || Array.isArray(filter)) return `Filter, as recorded: ${json(filter)}.`;
  const f = filter as Record<string, unknown>;
  const parts: string[] = [];
  const other: Record<string, unknown> = {};
  const str = (key: string): string | undefined => {
    const value = f[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    other[key] = value;
    return undefined;
  };
  const int = (key: string): number | undefined => {
    const value = f[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    other[key] = value;
    return undefined;
  };

  if (f.actions !== undefined) {
    const actions = f.actions;
    if (Array.isArray(actions) && actions.length > 0 && actions.every((a): a is string => typeof a === 'string')) {
      const items = actions.map((action) => (action.endsWith('.*') ? `starts with ${q(action.slice(0, -1))}` : `is ${q(action)}`));
      parts.push(`whose action ${items.join(' or ')}`);
    } else {
      other.actions = actions;
    }
  }
  const actorId = str('actorId');
  if (actorId !== undefined) parts.push(`whose actor id is ${q(actorId)}`);
  const actorType = str('actorType');
  if (actorType !== undefined) parts.push(`whose actor type is ${q(actorType)}`);
  const targetId = str('targetId');
  if (targetId !== undefined) parts.push(`with a target whose id is ${q(targetId)}`);
  const targetType = str('targetType');
  if (targetType !== undefined) parts.push(`with a target of type ${q(targetType)}`);
  const after = str('occurredAfter');
  const before = str('occurredBefore');
  if (after !== undefined && before !== undefined) parts.push(`that occurred at or after ${after} and before ${before}`);
  else if (after !== undefined) parts.push(`that occurred at or after ${after}`);
  else if (before !== undefined) parts.push(`that occurred before ${before}`);
  const ip = str('ip');
  if (ip !== undefined) parts.push(ip.includes('/') ? `whose IP address is within ${q(ip)}` : `whose IP address is ${q(ip)}`);
  if (f.metadata !== undefined) {
    const metadata = f.metadata;
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && Object.values(metadata).every((v) => typeof v === 'string')) {
      for (const [key, value] of Object.entries(metadata as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        parts.push(`whose metadata ${q(key)} is ${q(value)}`);
      }
    } else {
      other.metadata = metadata;
    }
  }
  const words = str('q');
  if (words !== undefined) {
    // The server's reading of a search (core `resolveFilter`, db `searchTerms`), spelled out where it applies.
    const special = /\*|\/|:|\d\.\d/.test(words);
    const how = ' (a word ending in * stands for every word that starts so; an IP address or CIDR block among them matches the IP address instead)';
    parts.push(`containing every word of ${q(words)}${special ? how : ''}`);
  }
  const from = int('seqFrom');
  const to = int('seqTo');
  if (from !== undefined && to !== undefined) parts.push(`with log index (seq) from ${from} to ${to - 1}`);
  else if (from !== undefined) parts.push(`with log index (seq) ${from} or more`);
  else if (to !== undefined) parts.push(`with log index (seq) below ${to}`);

  for (const [key, value] of Object.entries(f)) if (!KNOWN.has(key)) other[key] = value;
  const hasOther = Object.keys(other).length > 0;
  if (parts.length === 0) return hasOther ? `Events matching these criteria, as recorded: ${json(other)}.` : 'All events (no filter).';
  return `Events ${parts.join('; ')}${hasOther ? `; and other criteria, as recorded: ${json(other)}` : ''}.`;
}

function q(text: string): string {
  return JSON.stringify(text);
}

function json(value: unknown): string {
  try {
    return canonicalize(value);
  } catch {
    return String(value);
  }
}
