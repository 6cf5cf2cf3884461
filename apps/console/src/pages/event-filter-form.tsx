import { useState } from 'react';
import type { FormEvent } from 'react';

import { parseCidr, parseIpAddress } from '@custody/schema';

import { Field } from '../components/field';
import { FILTER_LABELS } from '../lib/event-view';
import type { TEventView } from '../lib/event-view';
import { formatUtcInput, parseUtcInput } from '../lib/format';

/** `@custody/schema`'s ACTION_PATTERN, and the API's prefix form (`user.*`). */
const ACTION = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
const ACTION_PREFIX = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*\.\*$/;
const KEY_MAX = 40;

interface TDraft {
  actions: string;
  actorType: string;
  actorId: string;
  targetType: string;
  targetId: string;
  after: string;
  before: string;
  ip: string;
  metadata: { key: string; value: string }[];
}

function draftOf(view: TEventView): TDraft {
  return {
    actions: view.actions.join(', '),
    actorType: view.actorType ?? '',
    actorId: view.actorId ?? '',
    targetType: view.targetType ?? '',
    targetId: view.targetId ?? '',
    after: formatUtcInput(view.after),
    before: formatUtcInput(view.before),
    ip: view.ip ?? '',
    metadata: view.metadata.length === 0 ? [{ key: '', value: '' }] : view.metadata.map(([key, value]) => ({ key, value })),
  };
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/** Why `text` is not an IP address or CIDR block (the server's own parsers, so both agree), or null. */
function ipProblem(text: string): string | null {
  try {
    if (text.includes('/')) parseCidr(text);
    else parseIpAddress(text);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `"${text}" is not an IP address or CIDR block: ${reason}`;
  }
}

/** A label of the filter form (the same words name the field in the server's refusals). */
function label(path: string): string {
  return FILTER_LABELS[path] ?? path;
}

/**
 * The structured filters: actions (exact or `prefix.*`), actor, target, time range (UTC), IP or CIDR block, and
 * metadata `key = value`. Applying replaces these filters in the view; the search text, sort and page size stay.
 */
export function EventFilterForm({ view, onApply, onClose }: {
  view: TEventView;
  onApply: (view: TEventView) => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<TDraft>(() => draftOf(view));
  const [errors, setErrors] = useState<Partial<Record<'actions' | 'after' | 'before' | 'ip' | 'metadata', string>>>({});
  const set = <K extends keyof TDraft>(key: K, value: TDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    const actions = draft.actions.split(/[\s,]+/).filter((a) => a !== '');
    const badAction = actions.find((a) => !ACTION.test(a) && !ACTION_PREFIX.test(a));
    if (badAction !== undefined) found.actions = `"${badAction}" is not an action name or prefix (e.g. user.signed_in or user.*)`;
    const after = draft.after.trim() === '' ? null : parseUtcInput(draft.after);
    const before = draft.before.trim() === '' ? null : parseUtcInput(draft.before);
    if (draft.after.trim() !== '' && after === null) found.after = 'Use YYYY-MM-DD HH:MM[:SS] (UTC)';
    if (draft.before.trim() !== '' && before === null) found.before = 'Use YYYY-MM-DD HH:MM[:SS] (UTC)';
    if (after !== null && before !== null && Date.parse(after) >= Date.parse(before)) found.before = 'Must be later than "From"';
    const ip = draft.ip.trim();
    const badIp = ip === '' ? null : ipProblem(ip);
    if (badIp !== null) found.ip = badIp;
    const metadata: [string, string][] = [];
    for (const { key, value } of draft.metadata) {
      const k = key.trim();
      if (k === '' && value === '') continue;
      if (k === '' || k.length > KEY_MAX) found.metadata = `Each metadata filter needs a key of 1 to ${KEY_MAX} characters`;
      else if (metadata.some(([existing]) => existing === k)) found.metadata = `Metadata key "${k}" appears twice`;
      else metadata.push([k, value]);
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    onApply({
      ...view,
      actions: [...new Set(actions)],
      actorType: orNull(draft.actorType),
      actorId: orNull(draft.actorId),
      targetType: orNull(draft.targetType),
      targetId: orNull(draft.targetId),
      after,
      before,
      ip: orNull(draft.ip),
      metadata,
    });
  };

  return (
    <form className="filter-form card" onSubmit={submit} aria-label="Event filters" data-testid="filter-form">
      <div className="filter-grid">
        <Field className="span-2" label={label('filter.actions')} help="Exact names or prefixes ending in .* — any of them matches." error={errors.actions}>
          {(control) => (
            <input {...control} name="actions" className="input mono" value={draft.actions} onChange={(e) => set('actions', e.target.value)} placeholder="user.signed_in, document.*" />
          )}
        </Field>
        <Field label={label('filter.actorType')}>
          {(control) => <input {...control} name="actorType" className="input mono" value={draft.actorType} onChange={(e) => set('actorType', e.target.value)} placeholder="user" />}
        </Field>
        <Field label={label('filter.actorId')}>
          {(control) => <input {...control} name="actorId" className="input mono" value={draft.actorId} onChange={(e) => set('actorId', e.target.value)} placeholder="u_123" />}
        </Field>
        <Field label={label('filter.targetType')}>
          {(control) => <input {...control} name="targetType" className="input mono" value={draft.targetType} onChange={(e) => set('targetType', e.target.value)} placeholder="document" />}
        </Field>
        <Field label={label('filter.targetId')}>
          {(control) => <input {...control} name="targetId" className="input mono" value={draft.targetId} onChange={(e) => set('targetId', e.target.value)} placeholder="doc_42" />}
        </Field>
        <Field label={label('filter.occurredAfter')} error={errors.after}>
          {(control) => <input {...control} name="after" className="input mono" value={draft.after} onChange={(e) => set('after', e.target.value)} placeholder="2026-03-01 00:00" />}
        </Field>
        <Field label={label('filter.occurredBefore')} error={errors.before}>
          {(control) => <input {...control} name="before" className="input mono" value={draft.before} onChange={(e) => set('before', e.target.value)} placeholder="2026-03-02 00:00" />}
        </Field>
        <Field label={label('filter.ip')} error={errors.ip}>
          {(control) => <input {...control} name="ip" className="input mono" value={draft.ip} onChange={(e) => set('ip', e.target.value)} placeholder="10.0.0.0/8" />}
        </Field>
        <fieldset className="field span-3 metadata-fields">
          <legend className="field-label">Metadata equals</legend>
          {draft.metadata.map((row, i) => (
            <div className="metadata-row" key={i}>
              <input
                aria-label={`Metadata key ${i + 1}`}
                name={`metaKey${i}`}
                className="input mono"
                placeholder="key"
                value={row.key}
                onChange={(e) => set('metadata', draft.metadata.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
              />
              <span className="metadata-eq">=</span>
              <input
                aria-label={`Metadata value ${i + 1}`}
                name={`metaValue${i}`}
                className="input mono"
                placeholder="value"
                value={row.value}
                onChange={(e) => set('metadata', draft.metadata.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
              />
              <button
                type="button"
                className="button button-ghost button-small"
                aria-label={`Remove metadata filter ${i + 1}`}
                onClick={() => set('metadata', draft.metadata.length === 1 ? [{ key: '', value: '' }] : draft.metadata.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </div>
          ))}
          <button type="button" className="button button-ghost button-small" onClick={() => set('metadata', [...draft.metadata, { key: '', value: '' }])}>
            + Add metadata filter
          </button>
          {errors.metadata !== undefined && <span className="field-help field-help-error">{errors.metadata}</span>}
        </fieldset>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary">Apply filters</button>
        <button type="button" className="button" onClick={() => setDraft(draftOf({ ...view, actions: [], actorType: null, actorId: null, targetType: null, targetId: null, after: null, before: null, ip: null, metadata: [] }))}>
          Reset form
        </button>
        <button type="button" className="button button-ghost" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
