/**
 * Verification, shown before anything else in the workspace: one panel per bundle (progress, then "verified by
 * <key> <fingerprint>" or every failure). It stays expanded while any bundle is not verified; when all are, it
 * folds into one line. A signer seen for the first time opens the key-trust dialog: nothing it signed is
 * reported as verified until the examiner trusts it explicitly.
 */
import { useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';

import { KeyTrustDialog, VerificationPanel, verificationOutcome } from '@custody/ui';
import type { TBundleSigner, TKeyTrustCandidate } from '@custody/ui';

import type { TViewerSession } from '../session/use-viewer-session';

/** A signer the dialog can show: its vkey is known (from keys.txt), so the fingerprint is real. */
function isCandidate(signer: TBundleSigner): boolean {
  return !signer.trusted && signer.vkey.split('+').length >= 3 && signer.fingerprint.startsWith('SHA256:');
}

/** The verification section of the workspace. */
export function VerificationSection({ session }: { session: TViewerSession }): ReactElement {
  const bundles = session.state.bundles;
  const allVerified = bundles.length > 0 && bundles.every((b) => verificationOutcome(b) === 'verified');
  const [expanded, setExpanded] = useState(true);
  const [asking, setAsking] = useState<{ signer: TKeyTrustCandidate; seenIn: string } | null>(null);
  const asked = useRef(new Set<string>());

  // Fold once everything is verified; unfold whenever something is not.
  useEffect(() => setExpanded(!allVerified), [allVerified]);

  // Trust on first use: ask once per key and session, when a finished bundle names an untrusted signer.
  useEffect(() => {
    if (asking !== null) return;
    for (const bundle of bundles) {
      if (bundle.phase !== 'done') continue;
      const signer = bundle.signers.find((s) => isCandidate(s) && !asked.current.has(s.vkey));
      if (signer !== undefined) {
        asked.current.add(signer.vkey);
        setAsking({ signer: { vkey: signer.vkey, fingerprint: signer.fingerprint }, seenIn: bundle.fileName });
        return;
      }
    }
  }, [bundles, asking]);

  const verifiedCount = bundles.filter((b) => verificationOutcome(b) === 'verified').length;
  return (
    <section className={`vw-verification${allVerified ? ' is-verified' : ''}`} aria-label="Verification">
      <div className="vw-verification-bar">
        <strong>{allVerified ? `Verified: ${verifiedCount} of ${bundles.length} bundle${bundles.length === 1 ? '' : 's'}` : `Verification: ${verifiedCount} of ${bundles.length} bundle${bundles.length === 1 ? '' : 's'} verified`}</strong>
        <button type="button" className="cu-button cu-button-quiet" aria-expanded={expanded} onClick={() => setExpanded((e) => !e)}>
          {expanded ? 'Hide details' : 'Show verification'}
        </button>
      </div>
      {expanded ? (
        <div className="vw-verification-panels">
          {bundles.map((bundle) => (
            <VerificationPanel
              key={bundle.bundleId}
              bundle={bundle}
              headingLevel={2}
              onTrustKey={(signer) => {
                if (isCandidate(signer)) setAsking({ signer: { vkey: signer.vkey, fingerprint: signer.fingerprint }, seenIn: bundle.fileName });
              }}
            />
          ))}
        </div>
      ) : null}
      <KeyTrustDialog
        open={asking !== null}
        signer={asking?.signer ?? null}
        {...(asking === null ? {} : { seenIn: asking.seenIn })}
        onTrust={(signer) => {
          setAsking(null);
          void session.trustKey(signer.vkey, '');
        }}
        onCancel={() => setAsking(null)}
      />
    </section>
  );
}
