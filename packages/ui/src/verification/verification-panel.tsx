/**
 * The verification result of one evidence bundle, impossible to misread: a banner that says VERIFYING,
 * VERIFIED, FAILED, NOT VERIFIED or UNUSABLE in words, icon and colour; progress while it runs; on success
 * the key that signed (name, fingerprint), the checkpoint and the counts; on failure every failing check
 * with where (file, line, seq) and expected vs found; the signers, untrusted ones with a "Trust this key…"
 * action (the app decides, e.g. with `KeyTrustDialog`); and the checks list as the CLI prints it.
 */
import { useId } from 'react';
import type { ReactElement, ReactNode } from 'react';

import type { TBundleState } from '../data-source';
import { CopyButton } from '../common/copy-button';
import { formatBytes, formatCount } from '../common/format';
import type { TIconName } from '../common/icon';
import { Icon } from '../common/icon';
import { vkeyName } from './vkey';

/** A signer of the bundle's seal or checkpoints. */
export type TBundleSigner = TBundleState['signers'][number];

/** The headline state, derived from phase and verdict. */
export type TVerificationOutcome = 'verifying' | 'verified' | 'failed' | 'not-verified' | 'unusable';

/**
 * Derives the headline. `valid` counts only once the phase is `done`; `invalid` shows as soon as it is known.
 */
export function verificationOutcome(bundle: TBundleState): TVerificationOutcome {
  if (bundle.phase === 'unusable' || bundle.verdict === 'unusable') return 'unusable';
  if (bundle.verdict === 'invalid') return 'failed';
  if (bundle.phase !== 'done') return 'verifying';
  return bundle.verdict === 'valid' ? 'verified' : 'not-verified';
}

/** Props of `VerificationPanel`. */
export interface TVerificationPanelProps {
  readonly bundle: TBundleState;
  /** "Trust this key…" on an untrusted signer; absent hides the action. */
  readonly onTrustKey?: (signer: TBundleSigner) => void;
  /** Heading level of the banner title. Default is 2. */
  readonly headingLevel?: 2 | 3;
}

const BANNER: Record<TVerificationOutcome, { icon: TIconName; title: string }> = {
  verifying: { icon: 'hourglass', title: 'VERIFYING…' },
  verified: { icon: 'shieldCheck', title: 'VERIFIED' },
  failed: { icon: 'shieldX', title: 'FAILED' },
  'not-verified': { icon: 'shieldAlert', title: 'NOT VERIFIED' },
  unusable: { icon: 'ban', title: 'UNUSABLE' },
};

/**
 * One bundle's verification panel.
 *
 * ```tsx
 * const state = useSourceState(source);
 * state?.bundles.map((b) => <VerificationPanel key={b.bundleId} bundle={b} onTrustKey={askToTrust} />)
 * ```
 */
export function VerificationPanel({ bundle, onTrustKey, headingLevel = 2 }: TVerificationPanelProps): ReactElement {
  const id = useId();
  const outcome = verificationOutcome(bundle);
  const banner = BANNER[outcome];
  const untrusted = bundle.signers.filter((s) => !s.trusted);
  const trusted = bundle.signers.filter((s) => s.trusted);
  const failedChecks = bundle.checks.filter((c) => c.status === 'invalid');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  let explanation: ReactNode;
  switch (outcome) {
    case 'verifying':
      explanation = 'Not verified yet. Do not rely on these events until verification finishes.';
      break;
    case 'verified':
      explanation = (
        <>
          Every check passed. Signed by{' '}
          {trusted.length === 0 ? 'a trusted key' : trusted.map((s, i) => (
            <span key={s.vkey}>
              {i > 0 ? ', ' : ''}
              <strong>{vkeyName(s.vkey)}</strong>
            </span>
          ))}
          {bundle.checkpoint === null ? '' : `; the checkpoint covers ${bundle.checkpoint.size} entries of ${bundle.checkpoint.origin}`}.
        </>
      );
      break;
    case 'failed':
      explanation = `${failedChecks.length === 0 ? 'A check' : failedChecks.length === 1 ? '1 check' : `${failedChecks.length} checks`} failed. The events in this bundle cannot be shown to be what was logged.`;
      break;
    case 'not-verified':
      explanation =
        untrusted.length > 0
          ? 'The bundle is intact, but it is signed by a key you have not trusted. Compare the fingerprint with the producer before you trust it.'
          : 'Verification finished without a verdict.';
      break;
    case 'unusable':
      explanation = 'The file could not be read as a Custody evidence bundle. Nothing in it has been verified.';
      break;
  }

  return (
    <section className={`cu-verification is-${outcome}`} aria-labelledby={`${id}-title`} data-outcome={outcome}>
      <div className="cu-verification-banner" role="status">
        <Icon name={banner.icon} size={30} className="cu-verification-icon" />
        <div className="cu-verification-headline">
          <Heading id={`${id}-title`} className="cu-verification-title">
            <span className="cu-verification-word">{banner.title}</span>
            <span className="cu-verification-file">{bundle.fileName}</span>
          </Heading>
          <p className="cu-verification-explanation">{explanation}</p>
        </div>
      </div>

      {bundle.phase === 'reading' || bundle.phase === 'verifying' ? <Progress bundle={bundle} /> : null}

      {untrusted.length > 0 ? (
        <div className="cu-callout cu-callout-warning">
          <Icon name="key" />
          <div>
            <strong>{untrusted.length === 1 ? 'Signed by an untrusted key' : `Signed by ${untrusted.length} untrusted keys`}</strong>
            <ul className="cu-signer-list">
              {untrusted.map((signer) => (
                <li key={signer.vkey}>
                  <span className="cu-signer-name">{vkeyName(signer.vkey)}</span>
                  <code className="cu-fingerprint">{signer.fingerprint}</code>
                  {onTrustKey === undefined ? null : (
                    <button type="button" className="cu-button" onClick={() => onTrustKey(signer)}>
                      <Icon name="key" /> Trust this key…
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      {bundle.failures.length > 0 ? (
        <div className="cu-verification-section">
          <h3 className="cu-section-title">What failed</h3>
          <ol className="cu-failures">
            {bundle.failures.map((failure, index) => (
              <li key={`${failure.code}-${index}`} className="cu-failure">
                <div className="cu-failure-head">
                  <Icon name="x" size={14} />
                  <strong>{failure.check}</strong>
                  <code className="cu-failure-code">{failure.code}</code>
                </div>
                <p className="cu-failure-message">{failure.message}</p>
                <dl className="cu-kv cu-kv-compact">
                  {failure.file === undefined ? null : (
                    <div className="cu-kv-row">
                      <dt>Where</dt>
                      <dd>
                        <code>
                          {failure.file}
                          {failure.line === undefined ? '' : `:${failure.line}`}
                        </code>
                      </dd>
                    </div>
                  )}
                  {failure.seq === undefined ? null : (
                    <div className="cu-kv-row">
                      <dt>Seq</dt>
                      <dd>
                        <code>{failure.seq}</code>
                      </dd>
                    </div>
                  )}
                  {failure.expected === undefined ? null : (
                    <div className="cu-kv-row cu-expected">
                      <dt>Expected</dt>
                      <dd>
                        <code>{failure.expected}</code>
                      </dd>
                    </div>
                  )}
                  {failure.found === undefined ? null : (
                    <div className="cu-kv-row cu-found">
                      <dt>Found</dt>
                      <dd>
                        <code>{failure.found}</code>
                      </dd>
                    </div>
                  )}
                </dl>
              </li>
            ))}
          </ol>
        </div>
      ) : null}

      <div className="cu-verification-grid">
        {trusted.length > 0 ? (
          <div className="cu-verification-section">
            <h3 className="cu-section-title">Signing keys</h3>
            <dl className="cu-kv">
              {trusted.map((signer) => (
                <div className="cu-kv-row" key={signer.vkey}>
                  <dt>{vkeyName(signer.vkey)}</dt>
                  <dd>
                    <code className="cu-fingerprint">{signer.fingerprint}</code>
                    <span className="cu-trusted">
                      <Icon name="check" size={12} /> trusted
                    </span>
                  </dd>
                </div>
              ))}
            </dl>
          </div>
        ) : null}
        {bundle.checkpoint === null ? null : (
          <div className="cu-verification-section">
            <h3 className="cu-section-title">Checkpoint</h3>
            <dl className="cu-kv">
              <div className="cu-kv-row">
                <dt>Origin</dt>
                <dd>
                  <code>{bundle.checkpoint.origin}</code>
                </dd>
              </div>
              <div className="cu-kv-row">
                <dt>Tree size</dt>
                <dd>
                  <code>{bundle.checkpoint.size}</code>
                </dd>
              </div>
              <div className="cu-kv-row">
                <dt>Root</dt>
                <dd>
                  <code className="cu-hash">{bundle.checkpoint.root}</code>
                  <CopyButton text={bundle.checkpoint.root} label="Copy root hash" />
                </dd>
              </div>
            </dl>
            <details className="cu-details">
              <summary>Signed checkpoint note</summary>
              <pre className="cu-note-text">{bundle.checkpoint.note}</pre>
            </details>
          </div>
        )}
        <div className="cu-verification-section">
          <h3 className="cu-section-title">Bundle</h3>
          <dl className="cu-kv">
            {bundle.matter === null ? null : (
              <div className="cu-kv-row">
                <dt>Matter</dt>
                <dd>
                  {bundle.matter.name} <span className="cu-muted">({bundle.matter.number})</span>
                </dd>
              </div>
            )}
            <div className="cu-kv-row">
              <dt>Events</dt>
              <dd>
                {formatCount(bundle.counts.events)}
                {bundle.counts.withheld > 0 ? <span className="cu-muted"> · {formatCount(bundle.counts.withheld)} withheld</span> : null}
                {bundle.counts.purged > 0 ? <span className="cu-muted"> · {formatCount(bundle.counts.purged)} purged</span> : null}
              </dd>
            </div>
            <div className="cu-kv-row">
              <dt>File SHA-256</dt>
              <dd>
                {bundle.sha256 === null ? (
                  <span className="cu-muted">computing…</span>
                ) : (
                  <>
                    <code className="cu-hash">{bundle.sha256}</code>
                    <CopyButton text={bundle.sha256} label="Copy file SHA-256" />
                  </>
                )}
              </dd>
            </div>
          </dl>
        </div>
      </div>

      {bundle.checks.length > 0 ? (
        <div className="cu-verification-section">
          <h3 className="cu-section-title">Checks</h3>
          <table className="cu-checks">
            <thead>
              <tr>
                <th scope="col">Result</th>
                <th scope="col">Check</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {bundle.checks.map((check) => (
                <tr key={check.name} className={`is-${check.status}`}>
                  <td>
                    <span className={`cu-check-status is-${check.status}`}>
                      <Icon name={check.status === 'valid' ? 'check' : check.status === 'invalid' ? 'x' : check.status === 'pending' ? 'clock' : 'minus'} size={13} />
                      {check.status === 'invalid' ? 'INVALID' : check.status}
                    </span>
                  </td>
                  <th scope="row">
                    <code>{check.name}</code>
                  </th>
                  <td>{check.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Progress({ bundle }: { bundle: TBundleState }): ReactElement {
  const { bytes, totalBytes, events, proofs } = bundle.progress;
  const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
  const percent = Math.round(fraction * 100);
  return (
    <div className="cu-progress-block">
      <div className="cu-progress-label">
        <span>{bundle.phase === 'reading' ? 'Reading' : 'Verifying'}</span>
        <span>
          {formatBytes(bytes)} of {formatBytes(totalBytes)} ({percent}%)
        </span>
      </div>
      <div
        className="cu-progress"
        role="progressbar"
        aria-label={`${bundle.fileName}: bytes ${bundle.phase === 'reading' ? 'read' : 'verified'}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% (${formatBytes(bytes)} of ${formatBytes(totalBytes)})`}
      >
        {/* Scaled, not sized: a transform animates on the compositor, where a width transition would lay out and
            repaint the page every frame while a bundle loads, taking the CPU verification needs. */}
        <div className="cu-progress-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      <div className="cu-progress-counters">
        <span>
          <strong>{formatCount(events)}</strong> events hashed
        </span>
        <span>
          <strong>{formatCount(proofs)}</strong> proofs checked
        </span>
      </div>
    </div>
  );
}
