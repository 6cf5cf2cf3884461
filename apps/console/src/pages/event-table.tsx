import { Fragment } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

import type { TEventRecord } from '../lib/api-client';
import type { TSortOrder } from '../lib/event-view';
import { formatUtc } from '../lib/format';

/** An action name with a line-break opportunity after each dot (`billing.` / `invoice_paid`) rather than a cut. */
function breakAfterDots(action: string): ReactNode {
  const parts = action.split('.');
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && <>.<wbr /></>}
    </Fragment>
  ));
}

/**
 * The events of the current view: time (UTC), action, actor, targets, IP and user agent. A row opens the detail
 * panel; while it is open the table is `compact` (time, action, actor), the panel showing the rest. Action
 * names break after their dots rather than being cut; other cells that may be cut carry their whole text as
 * a tooltip.
 */
export function EventTable({ events, order, selectedId, compact, onSelect, onToggleOrder }: {
  events: TEventRecord[];
  compact: boolean;
  order: TSortOrder;
  selectedId: string | null;
  onSelect: (event: TEventRecord) => void;
  onToggleOrder: () => void;
}) {
  const onKey = (event: KeyboardEvent<HTMLTableRowElement>, record: TEventRecord) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(record);
    }
  };
  return (
    <div className="table-wrap">
      <table className={compact ? 'table table-events table-compact' : 'table table-events'} data-testid="events-table">
        <colgroup>
          <col className="w-time" />
          <col className="w-action" />
          <col className="w-actor" />
          {!compact && <col className="w-targets" />}
          {!compact && <col className="w-ip" />}
          {!compact && <col />}
        </colgroup>
        <thead>
          <tr>
            <th aria-sort={order === 'asc' ? 'ascending' : 'descending'}>
              <button type="button" className="sort-button" onClick={onToggleOrder} title="Reverse the order" data-testid="sort-time">
                Time (UTC) <span aria-hidden="true">{order === 'asc' ? '▲' : '▼'}</span>
              </button>
            </th>
            <th>Action</th>
            <th>Actor</th>
            {!compact && <th>Targets</th>}
            {!compact && <th>IP</th>}
            {!compact && <th>User agent</th>}
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr
              key={e.id}
              data-id={e.id}
              data-seq={e.seq}
              className={e.id === selectedId ? 'selected' : undefined}
              aria-selected={e.id === selectedId}
              tabIndex={0}
              onClick={() => onSelect(e)}
              onKeyDown={(k) => onKey(k, e)}
            >
              <td className="mono col-time">{formatUtc(e.occurred_at)}</td>
              <td className="col-action"><span className="action-name" title={e.action}>{breakAfterDots(e.action)}</span></td>
              <td className="col-actor" title={e.actor.name === undefined ? `${e.actor.type}:${e.actor.id}` : `${e.actor.name} (${e.actor.type}:${e.actor.id})`}>
                <div className="cell-main">{e.actor.name ?? e.actor.id}</div>
                <div className="cell-sub mono">{e.actor.type}:{e.actor.id}</div>
              </td>
              {!compact && <td className="col-targets">
                {e.targets.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <>
                    {e.targets.slice(0, 2).map((t, i) => (
                      <div key={i} className="target mono" title={t.name === undefined ? `${t.type}:${t.id}` : `${t.type}:${t.id} · ${t.name}`}>
                        {t.type}:{t.id}
                      </div>
                    ))}
                    {e.targets.length > 2 && <div className="cell-sub">+{e.targets.length - 2} more</div>}
                  </>
                )}
              </td>}
              {!compact && <td className="mono col-ip" title={e.context.location}>{e.context.location}</td>}
              {!compact && (
                <td className="col-ua" title={e.context.user_agent}>
                  {e.context.user_agent === undefined ? <span className="muted">—</span> : <div className="clamp-2">{e.context.user_agent}</div>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
