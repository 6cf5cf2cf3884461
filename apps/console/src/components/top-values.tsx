import { formatCount } from '../lib/format';

/** A ranked list of values with counts; each value is a button that adds a filter. */
export function TopValues({ title, items, emptyText, testId }: {
  title: string;
  items: { key: string; label: string; sub?: string; count: number; onSelect: () => void; hint: string }[];
  emptyText: string;
  testId: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <div className="top-values" data-testid={testId}>
      <h3>{title}</h3>
      {items.length === 0 ? (
        <div className="muted small">{emptyText}</div>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={item.key}>
              <button type="button" className="top-value" onClick={item.onSelect} title={item.hint} data-value={item.key}>
                <span className="top-value-bar" style={{ width: `${(item.count / max) * 100}%` }} aria-hidden="true" />
                <span className="top-value-label">
                  <span className="top-value-name">{item.label}</span>
                  {item.sub !== undefined && <span className="top-value-sub">{item.sub}</span>}
                </span>
                <span className="top-value-count">{formatCount(item.count)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
