import type { TQueryField } from '../data-source';
import { META_KEY_PATTERN } from '../query/query-fields';

/** One leaf of an event, for the field list. */
export interface TEventField {
  /** `actor.id`, `targets[0].type`, `metadata.plan`. */
  readonly path: string;
  /** Strings as they are; other values as JSON. */
  readonly value: string;
  /** Whether `value` is a string (shown plain) or another JSON value (shown as code). */
  readonly isString: boolean;
  /** The query field this leaf filters on, when there is one (`targets[0].id` → `target.id`). */
  readonly queryField: TQueryField | null;
}

/**
 * Flattens a logged event into its leaves in document order. Empty objects and arrays are leaves
 * (`{}` / `[]`), so nothing in the event is hidden.
 */
export function flattenEvent(event: Readonly<Record<string, unknown>>): TEventField[] {
  const out: TEventField[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value) && value.length > 0) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) walk(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    const isString = typeof value === 'string';
    out.push({ path, value: isString ? value : JSON.stringify(value) ?? 'undefined', isString, queryField: isString || typeof value === 'number' ? queryFieldOf(path) : null });
  };
  walk(event, '');
  return out;
}

/** The query field a leaf path filters on, or `null`. */
export function queryFieldOf(path: string): TQueryField | null {
  switch (path) {
    case 'action':
    case 'actor.id':
    case 'actor.type':
    case 'actor.name':
      return path;
    case 'context.location':
      return 'ip';
    case 'context.user_agent':
      return 'ua';
  }
  const target = /^targets\[\d+\]\.(id|type)$/.exec(path);
  if (target !== null) return target[1] === 'id' ? 'target.id' : 'target.type';
  const meta = /^metadata\.([^.[\]]+)$/.exec(path);
  if (meta?.[1] !== undefined && META_KEY_PATTERN.test(meta[1])) return `meta.${meta[1]}`;
  return null;
}
