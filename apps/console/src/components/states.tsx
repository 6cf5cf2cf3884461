/** Loading, empty and error states, the same on every screen. */
import type { ReactNode } from 'react';

import { describeError } from '../lib/describe-error';

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'Loading'} />;
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <Spinner label={label} />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <div className="state-title">{title}</div>
      {children !== undefined && <div className="state-body">{children}</div>}
      {action !== undefined && <div className="state-action">{action}</div>}
    </div>
  );
}

/**
 * An error from a call, with the server's code and status when known, and a Retry button when retrying can
 * help (never for a refused request: a BAD_REQUEST fails again until the input changes). `action` takes its
 * place for such errors ("Edit filters"); `labels` name the fields as the screen does (see `describeError`).
 */
export function ErrorBanner({ error, title, onRetry, action, labels }: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  action?: ReactNode;
  labels?: Readonly<Record<string, string>>;
}) {
  const described = describeError(error, { labels });
  return (
    <div className="alert alert-error" role="alert" data-testid="error-banner" data-code={described.code ?? undefined}>
      <div className="alert-main">
        <strong>{title ?? 'Something went wrong'}</strong>
        <span>{described.message}</span>
        {(described.code !== null || described.httpStatus !== null) && (
          <span className="alert-meta">
            {described.code}
            {described.httpStatus !== null && ` · HTTP ${described.httpStatus}`}
          </span>
        )}
      </div>
      {onRetry !== undefined && described.retryable ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      ) : (
        action
      )}
    </div>
  );
}

/** A page header: title, one line of context, and actions on the right. */
export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle !== undefined && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions !== undefined && <div className="page-actions">{actions}</div>}
    </header>
  );
}
