import { useEffect, useState } from 'react';

import { keyFingerprint } from '@custody/ledger';

import { CopyButton } from '../components/copy-button';
import { EmptyState, ErrorBanner, LoadingState, PageHeader, Spinner } from '../components/states';
import type { TApiClient, TCheckpoint, TOrganization, TVerifierKeys } from '../lib/api-client';
import { formatCount, formatUtc, shorten } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { verifyChain } from '../lib/verify';
import type { TChainOutcome } from '../lib/verify';
import { useOrganizationsRefresh, useSession } from '../session';

/** Checkpoints per `log.checkpoints` call (the API's maximum). */
const PAGE = 1000;
/** The console lists and verifies at most this many checkpoints. */
const MAX_CHAIN = 20_000;
/** Consistency proofs requested at once while verifying. */
const CONCURRENCY = 25;
/** Rows shown before "Show all". */
const ROWS = 25;

interface TChain {
  checkpoints: TCheckpoint[];
  truncated: boolean;
}

/** The whole chain, oldest first: the API pages by size, oldest first, up to 1,000 at a time. */
async function loadChain(client: TApiClient, organizationId: string, signal: AbortSignal): Promise<TChain> {
  const checkpoints: TCheckpoint[] = [];
  let fromSize = 0;
  for (;;) {
    const page = await client.log.checkpoints.query({ organizationId, fromSize, limit: PAGE }, { signal });
    checkpoints.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) return { checkpoints, truncated: false };
    if (checkpoints.length >= MAX_CHAIN) return { checkpoints, truncated: true };
    fromSize = last.size + 1;
  }
}

type TChainCheck =
  | { status: 'idle' }
  | { status: 'running'; done: number; total: number }
  | { status: 'done'; outcome: TChainOutcome }
  | { status: 'error'; error: unknown };

/**
 * The organization's verifiable log: the latest signed checkpoint verbatim, the checkpoint chain (newest first),
 * the published verifier keys, and "Verify chain", which checks every signature, `prev` link and consistency
 * proof in the browser.
 */
export function LogPage({ organization }: { organization: TOrganization }) {
  const { client, reportError } = useSession();
  const latest = useAsync((signal) => client.log.checkpoint.query({ organizationId: organization.id }, { signal }), organization.id);
  const keys = useAsync((signal) => client.log.keys.query(undefined, { signal }), 'keys');
  const chain = useAsync((signal) => loadChain(client, organization.id, signal), organization.id);
  const [showAll, setShowAll] = useState(false);
  const [check, setCheck] = useState<TChainCheck>({ status: 'idle' });

  useEffect(() => {
    if (latest.status === 'error') reportError(latest.error);
    if (chain.status === 'error') reportError(chain.error);
  }, [latest.status, latest.error, chain.status, chain.error, reportError]);

  // The organization's event count (the subtitle, the sidebar) is reloaded with the checkpoints, so both say
  // the same thing: on opening the page, and on Refresh.
  const [refreshes, setRefreshes] = useState(0);
  useOrganizationsRefresh(organization.id, refreshes);

  const reload = () => {
    latest.reload();
    keys.reload();
    chain.reload();
    setRefreshes((r) => r + 1);
    setCheck({ status: 'idle' });
  };

  const runCheck = async (checkpoints: TCheckpoint[], published: TVerifierKeys) => {
    const total = Math.max(0, checkpoints.length - 1);
    setCheck({ status: 'running', done: 0, total });
    try {
      const proofs: string[][] = [[]];
      for (let i = 1; i < checkpoints.length; i += CONCURRENCY) {
        const batch = checkpoints.slice(i, i + CONCURRENCY).map((c, j) => {
          const previous = checkpoints[i + j - 1];
          return client.log.consistencyProof.query({ organizationId: organization.id, from: previous?.size ?? 0, to: c.size });
        });
        for (const result of await Promise.all(batch)) proofs.push(result.proof);
        setCheck({ status: 'running', done: Math.min(total, i - 1 + batch.length), total });
      }
      setCheck({ status: 'done', outcome: verifyChain({ checkpoints, proofs, origin: organization.origin, keys: published }) });
    } catch (error) {
      setCheck({ status: 'error', error });
      reportError(error);
    }
  };

  const checkpoints = chain.data?.checkpoints ?? [];
  const newestFirst = [...checkpoints].reverse();
  const visible = showAll ? newestFirst : newestFirst.slice(0, ROWS);

  return (
    <div className="page">
      <PageHeader
        title="Verifiable log"
        subtitle={<>Origin <code>{organization.origin}</code> · <span data-testid="log-event-count">{formatCount(organization.size)} {organization.size === 1 ? 'event' : 'events'} logged</span></>}
        actions={<button type="button" className="button" onClick={reload}>Refresh</button>}
      />

      <div className="grid-2-1">
        <section className="card" aria-label="Latest checkpoint">
          <div className="card-header">
            <h2>Latest checkpoint</h2>
            {latest.data !== undefined && <CopyButton text={latest.data.note} label="Copy note" />}
          </div>
          <div className="card-body">
            {latest.status === 'error' ? (
              <ErrorBanner error={latest.error} title="Could not load the latest checkpoint" onRetry={latest.reload} />
            ) : latest.data === undefined ? (
              <LoadingState label="Loading the checkpoint…" />
            ) : (
              <>
                <dl className="facts facts-inline">
                  <dt>Tree size</dt>
                  <dd className="mono" data-testid="latest-size">{formatCount(latest.data.size)}</dd>
                  <dt>Signed</dt>
                  <dd className="mono">{formatUtc(latest.data.createdAt, { ms: false })} UTC</dd>
                  <dt>Key</dt>
                  <dd className="mono">{latest.data.keyId}</dd>
                </dl>
                <p className="muted small">
                  The signed note, verbatim (C2SP tlog-checkpoint): origin, tree size, root hash, <code>prev</code> (SHA-256 of the previous
                  checkpoint's body), then the signature lines.
                </p>
                <pre className="code-block note" data-testid="checkpoint-note">{latest.data.note}</pre>
              </>
            )}
          </div>
        </section>

        <section className="card" aria-label="Verifier keys">
          <div className="card-header">
            <h2>Verifier keys</h2>
          </div>
          <div className="card-body">
            {keys.status === 'error' ? (
              <ErrorBanner error={keys.error} title="Could not load the verifier keys" onRetry={keys.reload} />
            ) : keys.data === undefined ? (
              <LoadingState label="Loading keys…" />
            ) : keys.data.keys.length === 0 ? (
              <EmptyState title="No verifier keys published" />
            ) : (
              <ul className="key-list" data-testid="verifier-keys">
                {keys.data.keys.map((k) => (
                  <li key={k.vkey} className="key-item">
                    <div className="key-item-head">
                      <span className="strong">
                        {k.vkey.split('+')[0]} <span className="mono muted">{k.keyId}</span>
                      </span>
                      {k.retiredAt === null ? <span className="status status-ok">Active</span> : <span className="status status-revoked">Retired {formatUtc(k.retiredAt, { ms: false })}</span>}
                    </div>
                    <div className="small"><span className="muted">Fingerprint</span> <code className="fingerprint" data-testid="key-fingerprint">{localFingerprint(k.vkey) ?? k.fingerprint}</code></div>
                    <div className="small"><span className="muted">Since</span> {formatUtc(k.createdAt, { ms: false })} UTC</div>
                    <div className="vkey-row">
                      <code className="vkey">{k.vkey}</code>
                      <CopyButton text={k.vkey} label="Copy vkey" />
                    </div>
                  </li>
                ))}
              </ul>
            )}
            <p className="muted small">
              Also published at <a href="/.well-known/custody/keys">/.well-known/custody/keys</a>. Pin these in offline verifiers and compare
              the fingerprint with the one the server printed when it created its key.
            </p>
          </div>
        </section>
      </div>

      <section className="card" aria-label="Checkpoint chain">
        <div className="card-header">
          <h2>
            Checkpoint chain {chain.data !== undefined && <span className="muted">({formatCount(checkpoints.length)})</span>}
          </h2>
          <div className="card-header-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={chain.data === undefined || keys.data === undefined || checkpoints.length === 0 || check.status === 'running'}
              onClick={() => {
                if (keys.data !== undefined) void runCheck(checkpoints, keys.data);
              }}
            >
              {check.status === 'running' ? <><Spinner /> Verifying…</> : 'Verify chain'}
            </button>
          </div>
        </div>
        <div className="card-body">
          <p className="muted small">
            Each checkpoint names its predecessor's body hash and is consistent with it (RFC 9162 consistency proof): together they show
            the log only ever grew. Verification runs in this browser; the server only supplies the proofs.
          </p>
          <ChainResult check={check} />
          {chain.data?.truncated === true && (
            <div className="alert alert-warning">
              Only the oldest {formatCount(checkpoints.length)} checkpoints are listed and verified.
            </div>
          )}
        </div>
        {chain.status === 'error' ? (
          <div className="card-body">
            <ErrorBanner error={chain.error} title="Could not load the checkpoints" onRetry={chain.reload} />
          </div>
        ) : chain.data === undefined ? (
          <LoadingState label="Loading checkpoints…" />
        ) : checkpoints.length === 0 ? (
          <EmptyState title="No checkpoints yet" />
        ) : (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="chain-table">
                <thead>
                  <tr>
                    <th className="num">Tree size</th>
                    <th>Signed (UTC)</th>
                    <th>Root hash</th>
                    <th>Prev body hash</th>
                    <th>Key</th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((c) => (
                    <tr key={c.size} data-size={c.size}>
                      <td className="num mono">{formatCount(c.size)}</td>
                      <td className="mono nowrap">{formatUtc(c.createdAt, { ms: false })}</td>
                      <td className="mono" title={c.root}>{shorten(c.root, 16, 6)}</td>
                      <td className="mono" title={c.prevBodyHash ?? undefined}>{c.prevBodyHash === null ? <span className="muted">genesis</span> : shorten(c.prevBodyHash, 16, 6)}</td>
                      <td className="mono small">{c.keyId}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {newestFirst.length > ROWS && (
              <div className="table-footer">
                <span className="muted">Showing {formatCount(visible.length)} of {formatCount(newestFirst.length)}</span>
                <button type="button" className="button" onClick={() => setShowAll((s) => !s)}>
                  {showAll ? `Show the newest ${ROWS}` : 'Show all'}
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </div>
  );
}

function localFingerprint(vkey: string): string | null {
  try {
    return keyFingerprint(vkey);
  } catch {
    return null;
  }
}

function ChainResult({ check }: { check: TChainCheck }) {
  if (check.status === 'idle') return null;
  if (check.status === 'running') {
    return (
      <div className="alert alert-info" role="status">
        <Spinner /> Fetching consistency proofs: {formatCount(check.done)} of {formatCount(check.total)}…
      </div>
    );
  }
  if (check.status === 'error') return <ErrorBanner error={check.error} title="Could not fetch the consistency proofs" />;
  const { outcome } = check;
  if (!outcome.ok) {
    return (
      <div className="alert alert-error" role="alert" data-testid="chain-result" data-ok="false">
        <div className="alert-main">
          <strong>Chain verification failed: {outcome.code}</strong>
          <span>{outcome.message}</span>
          {outcome.details !== undefined && <pre className="code-inline">{JSON.stringify(outcome.details, null, 2)}</pre>}
        </div>
      </div>
    );
  }
  const single = outcome.count === 1;
  return (
    <div className="alert alert-success" role="status" data-testid="chain-result" data-ok="true">
      <div className="alert-main">
        <strong>
          {single
            ? `Verified: 1 checkpoint, of size ${formatCount(outcome.toSize)}; there is no earlier one to link it to yet`
            : `Verified: ${formatCount(outcome.count)} checkpoints from size ${formatCount(outcome.fromSize)} to ${formatCount(outcome.toSize)} form one append-only chain`}
        </strong>
        <span>
          Signed by{' '}
          {outcome.signers.map((s, i) => (
            <span key={`${s.name}+${s.keyId}`}>
              {i > 0 && ', '}
              {s.name} <code>{s.keyId}</code> (fingerprint <code className="fingerprint">{s.fingerprint}</code>)
            </span>
          ))}
          {single ? '; its signature checks out.' : <>; every <code>prev</code> link and consistency proof checks out.</>}
        </span>
      </div>
    </div>
  );
}
