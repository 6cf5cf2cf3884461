/**
 * The details pane for one event: status (with the problems when it is not verified), the reviewer's
 * annotations (star, tags, note; saved through `annotate()`), the event as a field list / pretty JSON /
 * the exact canonical line, its integrity data (leaf hash, control number, proof) and its context
 * (neighbours in time across every bundle, the event highlighted).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { ReactElement, ReactNode } from 'react';

import type { TEventDetail, TQueryTerm, TViewerDataSource, TViewerRow } from '../data-source';
import { CopyButton } from '../common/copy-button';
import type { TTimeZone } from '../common/format';
import { formatCount, formatTime, timeZoneLabel } from '../common/format';
import { Icon } from '../common/icon';
import { StatusBadge } from '../common/status-badge';
import { fieldTerm } from '../query/edit-query';
import { flattenEvent } from './flatten-event';

/** Props of `DetailPanel`. */
export interface TDetailPanelProps {
  readonly source: TViewerDataSource;
  /** The event to show; `null` shows a hint. */
  readonly rowId: number | null;
  /** Default is `'utc'`. */
  readonly timeZone?: TTimeZone;
  /** Annotations were saved: the updated rows (refresh the grid with them). */
  readonly onAnnotated?: (rows: readonly TViewerRow[]) => void;
  /** "Jump to" on a context row. */
  readonly onSelectRow?: (rowId: number) => void;
  /** "Filter in / out" on a field; when absent, the buttons are not shown. */
  readonly onAddTerm?: (term: TQueryTerm) => void;
  /** Sizes offered for the context window (events on each side). Default `[5, 10, 25, 50]`. */
  readonly contextSizes?: readonly number[];
  /** Bump to refetch the event (e.g. after annotating elsewhere). */
  readonly revision?: number;
}

type TTab = 'fields' | 'json' | 'canonical';

/**
 * The details pane.
 *
 * ```tsx
 * <DetailPanel source={source} rowId={activeRowId} timeZone={zone} onAnnotated={(rows) => grid.current?.updateRows(rows)} />
 * ```
 */
export function DetailPanel(props: TDetailPanelProps): ReactElement {
  const { source, rowId, timeZone = 'utc', onAnnotated, onSelectRow, onAddTerm, contextSizes = [5, 10, 25, 50], revision = 0 } = props;
  const id = useId();
  const [detail, setDetail] = useState<TEventDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TTab>('fields');

  useEffect(() => {
    setError(null);
    if (rowId === null) {
      setDetail(null);
      return undefined;
    }
    let live = true;
    source.event(rowId).then(
      (d) => {
        if (live) setDetail(d);
      },
      (e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [source, rowId, revision]);

  if (rowId === null) {
    return (
      <aside className="cu-detail cu-detail-empty" aria-label="Event details">
        <Icon name="list" size={28} />
        <p>Select an event to see its details, proof and context.</p>
      </aside>
    );
  }
  if (error !== null) {
    return (
      <aside className="cu-detail" aria-label="Event details">
        <p className="cu-inline-error" role="alert">
          Could not load the event: {error}
        </p>
      </aside>
    );
  }
  if (detail?.row.rowId !== rowId) {
    return (
      <aside className="cu-detail" aria-label="Event details" aria-busy="true">
        <p className="cu-muted">Loading event…</p>
      </aside>
    );
  }

  const { row } = detail;
  const tabs: readonly (readonly [TTab, string])[] = [
    ['fields', 'Fields'],
    ['json', 'JSON'],
    ['canonical', 'Canonical line'],
  ];
  return (
    <aside className={`cu-detail is-${row.status}`} aria-label="Event details">
      <header className="cu-detail-head">
        <div className="cu-detail-title-row">
          <StatusBadge status={row.status} />
          <h2 className="cu-detail-title">{row.action}</h2>
        </div>
        <div className="cu-detail-sub">
          <time dateTime={new Date(row.time).toISOString()}>
            {formatTime(row.time, timeZone)} {timeZoneLabel(timeZone, row.time)}
          </time>
          <span>
            {row.actorName ?? row.actorId} <span className="cu-muted">{row.actorType}:{row.actorId}</span>
          </span>
        </div>
      </header>

      {row.status === 'verified' ? null : (
        <div className={`cu-callout ${row.status === 'failed' ? 'cu-callout-danger' : 'cu-callout-neutral'}`} role={row.status === 'failed' ? 'alert' : 'status'}>
          <Icon name={row.status === 'failed' ? 'alert' : 'clock'} />
          <div>
            <strong>{row.status === 'failed' ? 'This event FAILED verification.' : 'Not verified yet.'}</strong>
            {row.status === 'pending' ? <span> Verification is still running; do not rely on this event until it is verified.</span> : null}
            {detail.problems.length > 0 ? (
              <ul className="cu-problems">
                {detail.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            ) : null}
          </div>
        </div>
      )}

      <Annotations key={`annotations-${row.rowId}`} source={source} detail={detail} onChange={(d) => setDetail(d)} onAnnotated={onAnnotated} />

      <section className="cu-detail-section" aria-labelledby={`${id}-event`}>
        <h3 id={`${id}-event`} className="cu-section-title">
          Event
        </h3>
        <div className="cu-tabs" role="tablist" aria-label="Event views">
          {tabs.map(([key, text]) => (
            <button
              key={key}
              type="button"
              role="tab"
              id={`${id}-tab-${key}`}
              aria-selected={tab === key}
              aria-controls={`${id}-panel`}
              tabIndex={tab === key ? 0 : -1}
              className="cu-tab"
              onClick={() => setTab(key)}
              onKeyDown={(event) => {
                const index = tabs.findIndex(([k]) => k === key);
                const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
                if (delta === 0) return;
                event.preventDefault();
                const next = tabs[(index + delta + tabs.length) % tabs.length];
                if (next !== undefined) {
                  setTab(next[0]);
                  document.getElementById(`${id}-tab-${next[0]}`)?.focus();
                }
              }}
            >
              {text}
            </button>
          ))}
        </div>
        <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${tab}`} className="cu-tab-panel">
          {tab === 'fields' ? <FieldList event={detail.event} onAddTerm={onAddTerm} /> : null}
          {tab === 'json' ? (
            <div className="cu-code-block">
              <CopyButton text={JSON.stringify(detail.event, null, 2)} label="Copy JSON" />
              <pre>{JSON.stringify(detail.event, null, 2)}</pre>
            </div>
          ) : null}
          {tab === 'canonical' ? (
            <div className="cu-code-block">
              <CopyButton text={detail.canonical} label="Copy canonical line" />
              <pre className="cu-canonical" data-testid="canonical-line">
                {detail.canonical}
              </pre>
              <p className="cu-muted cu-small">The exact bytes hashed into the log (RFC 8785 canonical JSON).</p>
            </div>
          ) : null}
        </div>
      </section>

      <section className="cu-detail-section" aria-labelledby={`${id}-integrity`}>
        <h3 id={`${id}-integrity`} className="cu-section-title">
          Integrity
        </h3>
        <dl className="cu-kv">
          <KeyValue term="Status">
            <StatusBadge status={row.status} />
          </KeyValue>
          <KeyValue term="Leaf hash" copy={detail.leafHash}>
            <code className="cu-hash">{detail.leafHash}</code>
          </KeyValue>
          <KeyValue term="Control number" copy={row.controlNumber ?? undefined}>
            {row.controlNumber === null ? <span className="cu-muted">none</span> : <code>{row.controlNumber}</code>}
          </KeyValue>
          <KeyValue term="Sequence">
            <code>{row.seq}</code>
          </KeyValue>
          <KeyValue term="Bundle">
            <code>{row.bundleId}</code>
          </KeyValue>
        </dl>
        <h4 className="cu-subsection-title">Proof</h4>
        {detail.proof === null ? (
          <p className="cu-muted">No inclusion proof for this event.</p>
        ) : (
          <dl className="cu-kv">
            <KeyValue term="Origin">
              <code>{detail.proof.origin}</code>
            </KeyValue>
            <KeyValue term="Tree size">
              <code>{detail.proof.treeSize}</code>
            </KeyValue>
            <KeyValue term="Root" copy={detail.proof.root}>
              <code className="cu-hash">{detail.proof.root}</code>
            </KeyValue>
            <KeyValue term="Mode">
              {detail.proof.mode === 'complete-range' ? 'complete range (every leaf of the tree is in the bundle)' : 'selected events (inclusion proofs)'}
            </KeyValue>
            <KeyValue term="Proof hashes">{formatCount(detail.proof.proofHashes)}</KeyValue>
          </dl>
        )}
      </section>

      <ContextSection key={`context-${row.rowId}`} source={source} row={row} timeZone={timeZone} sizes={contextSizes} onSelectRow={onSelectRow} />
    </aside>
  );
}

function KeyValue({ term, children, copy }: { term: string; children: ReactNode; copy?: string | undefined }): ReactElement {
  return (
    <div className="cu-kv-row">
      <dt>{term}</dt>
      <dd>
        {children}
        {copy === undefined ? null : <CopyButton text={copy} label={`Copy ${term.toLowerCase()}`} />}
      </dd>
    </div>
  );
}

function FieldList({ event, onAddTerm }: { event: Readonly<Record<string, unknown>>; onAddTerm: ((term: TQueryTerm) => void) | undefined }): ReactElement {
  const fields = useMemo(() => flattenEvent(event), [event]);
  return (
    <table className="cu-field-table">
      <tbody>
        {fields.map((field) => (
          <tr key={field.path}>
            <th scope="row">{field.path}</th>
            <td>
              <div className="cu-field-cell">
                <span className={field.isString ? 'cu-field-value' : 'cu-field-value is-json'}>{field.value}</span>
                {onAddTerm !== undefined && field.queryField !== null ? (
                  <span className="cu-field-actions">
                    <button type="button" className="cu-icon-button" aria-label={`Filter in ${field.path} ${field.value}`} title="Filter in" onClick={() => field.queryField !== null && onAddTerm(fieldTerm(field.queryField, field.value))}>
                      <Icon name="plus" size={13} />
                    </button>
                    <button type="button" className="cu-icon-button" aria-label={`Filter out ${field.path} ${field.value}`} title="Filter out" onClick={() => field.queryField !== null && onAddTerm(fieldTerm(field.queryField, field.value, true))}>
                      <Icon name="minus" size={13} />
                    </button>
                  </span>
                ) : null}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Annotations({
  source,
  detail,
  onChange,
  onAnnotated,
}: {
  source: TViewerDataSource;
  detail: TEventDetail;
  onChange: (detail: TEventDetail) => void;
  onAnnotated: ((rows: readonly TViewerRow[]) => void) | undefined;
}): ReactElement {
  const id = useId();
  const { row } = detail;
  const [tagText, setTagText] = useState('');
  const [note, setNote] = useState(detail.note ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const save = async (change: Parameters<TViewerDataSource['annotate']>[1], done: string, nextNote?: string | null): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      const rows = await source.annotate([row.rowId], change);
      const updated = rows.find((r) => r.rowId === row.rowId) ?? row;
      onChange({ ...detail, row: updated, note: nextNote === undefined ? detail.note : nextNote });
      onAnnotated?.(rows);
      setMessage({ kind: 'ok', text: done });
    } catch (e) {
      setMessage({ kind: 'error', text: `Not saved: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      setBusy(false);
    }
  };

  const addTag = (): void => {
    const tag = tagText.trim();
    if (tag === '') return;
    if (row.tags.includes(tag)) {
      setMessage({ kind: 'error', text: `Already tagged "${tag}"` });
      return;
    }
    setTagText('');
    void save({ addTags: [tag] }, `Tagged "${tag}"`);
  };
  const noteDirty = note !== (detail.note ?? '');
  const [editingNote, setEditingNote] = useState(false);
  const showNote = editingNote || detail.note !== null;

  return (
    <section className="cu-detail-section cu-annotations" aria-labelledby={`${id}-title`}>
      <div className="cu-section-head">
        <h3 id={`${id}-title`} className="cu-section-title">
          Your annotations
        </h3>
        <span className="cu-muted cu-small">Case file only, never the evidence</span>
      </div>
      <div className="cu-annotation-row">
        <button type="button" className={`cu-button cu-star-button${row.starred ? ' is-on' : ''}`} aria-pressed={row.starred} disabled={busy} onClick={() => void save({ starred: !row.starred }, row.starred ? 'Star removed' : 'Starred')}>
          <Icon name="star" filled={row.starred} /> {row.starred ? 'Starred' : 'Star'}
        </button>
        {row.tags.length > 0 ? (
          <ul className="cu-tag-list" aria-label="Tags">
            {row.tags.map((tag) => (
              <li key={tag} className="cu-tag cu-tag-removable">
                <Icon name="tag" size={12} />
                {tag}
                <button type="button" className="cu-chip-button" aria-label={`Remove tag ${tag}`} disabled={busy} onClick={() => void save({ removeTags: [tag] }, `Removed tag "${tag}"`)}>
                  <Icon name="x" size={11} />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <form
          className="cu-tag-form"
          onSubmit={(event) => {
            event.preventDefault();
            addTag();
          }}
        >
          <input className="cu-input cu-input-small" aria-label="New tag" placeholder="Add a tag…" value={tagText} maxLength={64} onChange={(event) => setTagText(event.target.value)} />
          <button type="submit" className="cu-button cu-input-small" disabled={busy || tagText.trim() === ''}>
            Add tag
          </button>
        </form>
      </div>
      {showNote ? (
        <div className="cu-note-editor">
          <label className="cu-label" htmlFor={`${id}-note`}>
            Note
          </label>
          <textarea id={`${id}-note`} className="cu-input cu-note" rows={3} value={note} placeholder="What matters about this event…" onChange={(event) => setNote(event.target.value)} />
          <div className="cu-button-row">
            <button type="button" className="cu-button cu-button-primary" disabled={busy || !noteDirty} onClick={() => void save({ note: note.trim() === '' ? null : note }, 'Note saved', note.trim() === '' ? null : note)}>
              Save note
            </button>
            {detail.note !== null ? (
              <button
                type="button"
                className="cu-button cu-button-quiet"
                disabled={busy}
                onClick={() => {
                  setNote('');
                  setEditingNote(false);
                  void save({ note: null }, 'Note removed', null);
                }}
              >
                Remove note
              </button>
            ) : (
              <button
                type="button"
                className="cu-button cu-button-quiet"
                onClick={() => {
                  setNote('');
                  setEditingNote(false);
                }}
              >
                Cancel
              </button>
            )}
          </div>
        </div>
      ) : (
        <button type="button" className="cu-link-button cu-add-note" onClick={() => setEditingNote(true)}>
          <Icon name="note" size={13} /> Add a note
        </button>
      )}
      <p className={message?.kind === 'error' ? 'cu-inline-error cu-annotation-message' : 'cu-muted cu-small cu-annotation-message'} role="status">
        {message?.text ?? ''}
      </p>
    </section>
  );
}

function ContextSection({
  source,
  row,
  timeZone,
  sizes,
  onSelectRow,
}: {
  source: TViewerDataSource;
  row: TViewerRow;
  timeZone: TTimeZone;
  sizes: readonly number[];
  onSelectRow: ((rowId: number) => void) | undefined;
}): ReactElement {
  const id = useId();
  const [size, setSize] = useState(sizes[0] ?? 5);
  const [context, setContext] = useState<{ rows: readonly TViewerRow[]; index: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async (n: number): Promise<void> => {
    setLoading(true);
    setError(null);
    try {
      setContext(await source.context(row.rowId, { before: n, after: n }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <section className="cu-detail-section" aria-labelledby={`${id}-title`}>
      <div className="cu-section-head">
        <h3 id={`${id}-title`} className="cu-section-title">
          Context
        </h3>
        <label className="cu-inline-label">
          <span>Events on each side</span>
          <select
            className="cu-input cu-input-small"
            value={size}
            onChange={(event) => {
              const n = Number(event.target.value);
              setSize(n);
              if (context !== null) void load(n);
            }}
          >
            {sizes.map((n) => (
              <option key={n} value={n}>
                ±{n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="cu-button" disabled={loading} onClick={() => void load(size)}>
          <Icon name="context" /> {context === null ? 'Show context' : 'Refresh context'}
        </button>
      </div>
      {error === null ? null : (
        <p className="cu-inline-error" role="alert">
          Could not load the context: {error}
        </p>
      )}
      {context === null ? (
        <p className="cu-muted cu-small">Neighbouring events in time across every open bundle, this one highlighted.</p>
      ) : (
        <ol className="cu-context-list" aria-label={`Events around ${row.action}`}>
          {context.rows.map((r, index) => {
            const current = index === context.index;
            return (
              <li key={r.rowId} className={`cu-context-row${current ? ' is-current' : ''}${r.status === 'failed' ? ' is-failed' : ''}`} aria-current={current ? 'true' : undefined}>
                <span className="cu-context-time">{formatTime(r.time, timeZone)}</span>
                <StatusBadge status={r.status} compact />
                <span className="cu-context-action">{r.action}</span>
                <span className="cu-context-actor">{r.actorName ?? r.actorId}</span>
                {current ? (
                  <span className="cu-context-here">this event</span>
                ) : onSelectRow === undefined ? null : (
                  <button type="button" className="cu-link-button" aria-label={`Jump to ${r.action} at ${formatTime(r.time, timeZone)}`} onClick={() => onSelectRow(r.rowId)}>
                    Jump to
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
