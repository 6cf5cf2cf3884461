/**
 * The fields of the query language (`TQueryField`), their display labels, and the aliases the parser
 * accepts. `meta.<key>` addresses a root metadata key.
 */
import type { TQueryField, TRowStatus } from '../data-source';

/** Every fixed field, in the order facet panels and menus list them. `meta.<key>` comes in addition. */
export const QUERY_FIELDS = [
  'action',
  'actor.id',
  'actor.type',
  'actor.name',
  'target.id',
  'target.type',
  'ip',
  'ua',
  'bundle',
  'control',
  'seq',
  'status',
  'tag',
] as const satisfies readonly TQueryField[];

/** Shorter spellings accepted by `parseQuery` (always formatted back to the full name). */
export const QUERY_FIELD_ALIASES: Readonly<Record<string, TQueryField>> = {
  actor: 'actor.id',
  target: 'target.id',
  tags: 'tag',
};

/** The values `status:` accepts (a row's `TRowStatus`). */
export const ROW_STATUSES = ['verified', 'pending', 'failed'] as const satisfies readonly TRowStatus[];

/** The flags `is:` accepts. */
export const QUERY_FLAGS = ['starred', 'noted', 'tagged'] as const;

/** A metadata key after `meta.`: letters, digits, `_`, `-` and `.`, as the parser accepts them. */
export const META_KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const LABELS: Readonly<Record<string, string>> = {
  action: 'Action',
  'actor.id': 'Actor ID',
  'actor.type': 'Actor type',
  'actor.name': 'Actor name',
  'target.id': 'Target ID',
  'target.type': 'Target type',
  ip: 'IP address',
  ua: 'User agent',
  bundle: 'Bundle',
  control: 'Control number',
  seq: 'Sequence',
  status: 'Status',
  tag: 'Tag',
};

/** Returns `true` for a fixed field name or a well-formed `meta.<key>`. */
export function isQueryField(name: string): name is TQueryField {
  if ((QUERY_FIELDS as readonly string[]).includes(name)) return true;
  return name.startsWith('meta.') && META_KEY_PATTERN.test(name.slice(5));
}

/** A human label for a field (`actor.id` → `Actor ID`, `meta.plan` → `Metadata: plan`). */
export function fieldLabel(field: TQueryField): string {
  if (field.startsWith('meta.')) return `Metadata: ${field.slice(5)}`;
  return LABELS[field] ?? field;
}
