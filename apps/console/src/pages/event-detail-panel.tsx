import { useEffect, useMemo, useRef, useState } from 'react';

import { CopyButton } from '../components/copy-button';
import { ErrorBanner, Spinner } from '../components/states';
import type { TEventRecord, TOrganization } from '../lib/api-client';
import { formatUtc } from '../lib/format';
import { computeLeafHash, verifyEventInclusion } from '../lib/verify';
import type { TInclusionOutcome } from '../lib/verify';
import { useSession } from '../session';

type TVerification =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; outcome: TInclusionOutcome }
  | { status: 'error'; error: unknown };

/** Quick pivots from an event: each returns the filter to add. */
export interface TPivot {
  label: string;
  apply: () => void;
}

/**
 * One logged event: its fields, seq, id and leaf hash, the full JSON, pivots, and "Verify inclusion", which
 * fetches the proof and the verifier keys and checks them here, in the browser.
 */
export function EventDetailPanel({ organization, eventId, event, loading, error, pivots, onClose }: {
  organization: TOrganization;
  /** The id in the URL (the event may still be loading). */
  eventId: string;
  event: TEventRecord | null;
  loading: boolean;
  error: unknown;
  pivots: TPivot[];
  onClose: () => void;
}) {
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // Focus moves into the panel whenever it opens on an event: it comes after every row in the document, up to
  // a thousand Tab stops away. The events page returns focus to the row when the panel closes.
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    titleRef.current?.focus();
  }, [eventId]);

  return (
    <aside className="detail-panel" aria-label="Event details" data-testid="event-detail">
      <div className="detail-header">
        <div>
          <div className="detail-kicker">Event</div>
          <h2 className="detail-title mono" tabIndex={-1} ref={titleRef}>{event?.action ?? (loading ? 'Loading…' : 'Not found')}</h2>
          {event !== null && <div className="muted small">{formatUtc(event.occurred_at)} UTC</div>}
        </div>
        <button type="button" className="button button-ghost" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      <div className="detail-body">
        {loading && event === null && (
          <div className="state state-loading"><Spinner /> Loading the event…</div>
        )}
        {error !== null && error !== undefined && event === null && <ErrorBanner error={error} title="Could not load this event" />}
        {event !== null && <EventDetails key={event.id} organization={organization} event={event} pivots={pivots} />}
      </div>
    </aside>
  );
}

function EventDetails({ organization, event, pivots }: { organization: TOrganization; event: TEventRecord; pivots: TPivot[] }) {
  const session = useSession();
  const [verification, setVerification] = useState<TVerification>({ status: 'idle' });
  const leafHash = useMemo(() => {
    try {
      return computeLeafHash(event);
    } catch {
      return null;
    }
  }, [event]);
  const json = useMemo(() => JSON.stringify(event, null, 2), [event]);

  const verify = () => {
    setVerification({ status: 'running' });
    Promise.all([session.client.log.inclusionProof.query({ organizationId: organization.id, seq: event.seq }), session.client.log.keys.query()]).then(
      ([proof, keys]) => setVerification({ status: 'done', outcome: verifyEventInclusion({ event, origin: organization.origin, proof, keys }) }),
      (error: unknown) => {
        setVerification({ status: 'error', error });
        session.reportError(error);
      },
    );
  };

  return (
    <>
      <dl className="facts">
        <dt>Event ID</dt>
        <dd className="mono" data-testid="detail-id">{event.id}</dd>
        <dt>Seq (leaf index)</dt>
        <dd className="mono" data-testid="detail-seq">{event.seq}</dd>
        <dt>Occurred</dt>
        <dd className="mono">{formatUtc(event.occurred_at)} UTC</dd>
        <dt>Received</dt>
        <dd className="mono">{formatUtc(event.received_at)} UTC</dd>
        <dt>Actor</dt>
        <dd>
          {event.actor.name !== undefined && <span className="strong">{event.actor.name} </span>}
          <span className="mono">{event.actor.type}:{event.actor.id}</span>
        </dd>
        <dt>Targets</dt>
        <dd>
          {event.targets.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            event.targets.map((t, i) => (
              <div key={i}>
                <span className="mono">{t.type}:{t.id}</span>
                {t.name !== undefined && <span className="muted"> · {t.name}</span>}
              </div>
            ))
          )}
        </dd>
        <dt>IP address</dt>
        <dd className="mono">{event.context.location}</dd>
        {event.context.user_agent !== undefined && (
          <>
            <dt>User agent</dt>
            <dd className="break">{event.context.user_agent}</dd>
          </>
        )}
        <dt>Leaf hash</dt>
        <dd>
          <div className="hash-row">
            <code className="hash" data-testid="detail-leaf-hash">{leafHash ?? 'cannot be computed'}</code>
            {leafHash !== null && <CopyButton text={leafHash} />}
          </div>
          <div className="field-help">SHA-256(0x00 ‖ RFC 8785 canonical JSON of this event), computed in your browser.</div>
        </dd>
      </dl>

      <section className="verify-box" aria-label="Inclusion verification">
        <div className="verify-head">
          <div>
            <h3>Inclusion in the log</h3>
            <p className="muted small">
              Fetches the inclusion proof and the server's verifier keys, then checks the checkpoint signature and
              recomputes the signed root here, with <code>@custody/ledger</code>.
            </p>
          </div>
          <button type="button" className="button button-primary" onClick={verify} disabled={verification.status === 'running'}>
            {verification.status === 'running' ? <><Spinner /> Verifying…</> : verification.status === 'idle' ? 'Verify inclusion' : 'Verify again'}
          </button>
        </div>
        {verification.status === 'error' && <ErrorBanner error={verification.error} title="Could not fetch the proof" />}
        {verification.status === 'done' && <InclusionResult outcome={verification.outcome} />}
      </section>

      {pivots.length > 0 && (
        <div className="pivots">
          <div className="field-label">Filter the table by this event's</div>
          <div className="pivot-buttons">
            {pivots.map((p) => (
              <button key={p.label} type="button" className="button button-small" onClick={p.apply}>
                {p.label}
              </button>
            ))}
          </div>
        </div>
      )}

      <div className="json-head">
        <h3>Logged event</h3>
        <CopyButton text={json} label="Copy JSON" />
      </div>
      <pre className="code-block" data-testid="detail-json">{json}</pre>
    </>
  );
}

function InclusionResult({ outcome }: { outcome: TInclusionOutcome }) {
  if (!outcome.ok) {
    return (
      <div className="alert alert-error verify-result" role="alert" data-testid="verify-result" data-ok="false">
        <div className="alert-main">
          <strong>Verification failed: {outcome.code}</strong>
          <span>{outcome.message}</span>
          {outcome.details !== undefined && <pre className="code-inline">{JSON.stringify(outcome.details, null, 2)}</pre>}
          <span className="small">Do not rely on this event until the discrepancy is explained.</span>
        </div>
      </div>
    );
  }
  const signer = outcome.signers[0];
  return (
    <div className="alert alert-success verify-result" role="status" data-testid="verify-result" data-ok="true">
      <div className="alert-main">
        <div className="verify-sentence">
          <strong>Verified: included in checkpoint of size {outcome.size} signed by {signer?.name ?? 'unknown'}</strong>{' '}
          <span>(fingerprint <code className="fingerprint">{signer?.fingerprint ?? '?'}</code>)</span>
        </div>
        <dl className="facts facts-compact">
          <dt>Leaf index</dt>
          <dd className="mono">{outcome.seq}</dd>
          <dt>Signed root</dt>
          <dd className="mono break">{outcome.root}</dd>
          <dt>Key ID</dt>
          <dd className="mono">{signer?.keyId}</dd>
        </dl>
        <span className="small">
          The keys come from this server. Compare the fingerprint with the one the server printed at first start (or{' '}
          <code>custody signing-key show</code>) to rule out an impostor.
        </span>
      </div>
    </div>
  );
}
