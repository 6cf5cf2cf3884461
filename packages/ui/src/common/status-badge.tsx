/**
 * A row's verification status as icon + text + colour, so it never depends on colour alone: only
 * `verified` ever shows the check mark; `pending` shows a clock, `failed` an alert sign in capitals.
 */
import type { ReactElement } from 'react';

import type { TRowStatus } from '../data-source';
import { Icon } from './icon';

const LOOK: Record<TRowStatus, { icon: 'check' | 'clock' | 'alert'; text: string; title: string }> = {
  verified: { icon: 'check', text: 'Verified', title: 'Proven in a checkpoint signed by a trusted key' },
  pending: { icon: 'clock', text: 'Pending', title: 'Not verified yet: verification is still running' },
  failed: { icon: 'alert', text: 'FAILED', title: 'A verification check failed for this event' },
};

/** The badge; `compact` drops the text (the title and the accessible name keep it). */
export function StatusBadge({ status, compact = false }: { status: TRowStatus; compact?: boolean }): ReactElement {
  const look = LOOK[status];
  return (
    <span className={`cu-status cu-status-${status}`} title={look.title} data-status={status}>
      <Icon name={look.icon} size={13} />
      {compact ? <span className="cu-visually-hidden">{look.text}</span> : <span>{look.text}</span>}
    </span>
  );
}
