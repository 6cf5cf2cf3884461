import type { KeyboardEvent } from 'react';

import type { TEventRecord } from '../lib/api-client';
import type { TSortOrder } from '../lib/event-view';
import { formatUtc } from '../lib/format';

/**
 * The events of the current view: time (UTC), action, actor, targets, IP and user agent. A row opens the detail
 * panel; while it is open the table is `compact` (time, action, actor), the panel showing the rest.
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
              <td className="mono nowrap col-time">{formatUtc(e.occurred_at)}</td>
              <td className="col-action"><span className="action-name">{e.action}</span></td>
              <td className="col-actor">
                <div className="cell-main">{e.actor.name ?? e.actor.id}</div>
                <div className="cell-sub mono">{e.actor.type}:{e.actor.id}</div>
              </td>
              {!compact && <td className="col-targets">
                {e.targets.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <>
                    {e.targets.slice(0, 2).map((t, i) => (
                      <div key={i} className="target mono" title={t.name ?? undefined}>
                        {t.type}:{t.id}
                      </div>
                    ))}
                    {e.targets.length > 2 && <div className="cell-sub">+{e.targets.length - 2} more</div>}
                  </>
                )}
              </td>}
              {!compact && <td className="mono col-ip">{e.context.location}</td>}
              {!compact && <td className="col-ua" title={e.context.user_agent}>{e.context.user_agent ?? <span className="muted">—</span>}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
