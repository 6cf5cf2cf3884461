import { useEffect, useId, useRef, useState } from 'react';
import type { ReactElement } from 'react';

import { Icon } from '../common/icon';
import type { TGridColumnState } from './grid-columns';
import { DEFAULT_GRID_COLUMNS, gridColumn } from './grid-columns';

/**
 * The "Columns" button and its popover: a check box per column, "Reset columns". Closes on Escape or a
 * click outside and returns focus to the button.
 */
export function ColumnChooser({ columns, onChange }: { columns: readonly TGridColumnState[]; onChange: (columns: readonly TGridColumnState[]) => void }): ReactElement {
  const [open, setOpen] = useState(false);
  const id = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popoverRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    popoverRef.current?.querySelector<HTMLInputElement>('input')?.focus();
    const onDown = (event: PointerEvent): void => {
      if (rootRef.current !== null && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const visibleCount = columns.filter((column) => column.visible).length;
  return (
    <div className="cu-popover-anchor" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="cu-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="columns" /> Columns
      </button>
      {open ? (
        <div
          ref={popoverRef}
          id={id}
          role="dialog"
          aria-label="Choose columns"
          className="cu-popover cu-column-chooser"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setOpen(false);
              buttonRef.current?.focus();
            }
          }}
        >
          <fieldset>
            <legend>Show columns</legend>
            {columns.map((column) => {
              const def = gridColumn(column.id);
              return (
                <label key={column.id} className="cu-check">
                  <input
                    type="checkbox"
                    checked={column.visible}
                    // Keep at least one column: an empty grid cannot be navigated.
                    disabled={column.visible && visibleCount === 1}
                    onChange={(event) => onChange(columns.map((c) => (c.id === column.id ? { ...c, visible: event.target.checked } : c)))}
                  />
                  {def.label}
                </label>
              );
            })}
          </fieldset>
          <div className="cu-popover-actions">
            <button type="button" className="cu-button cu-button-quiet" onClick={() => onChange(DEFAULT_GRID_COLUMNS)}>
              Reset columns
            </button>
            <button
              type="button"
              className="cu-button"
              onClick={() => {
                setOpen(false);
                buttonRef.current?.focus();
              }}
            >
              Done
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
