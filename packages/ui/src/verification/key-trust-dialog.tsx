/**
 * Asks for explicit trust in a key seen for the first time. A modal `<dialog>` (focus trapped, Escape
 * cancels) showing the key's name, fingerprint and full verifier key; "Trust this key" stays disabled
 * until the user confirms they compared the fingerprint through another channel. The app stores the
 * decision; this component only asks.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ReactElement } from 'react';

import { CopyButton } from '../common/copy-button';
import { Icon } from '../common/icon';
import { vkeyName } from './vkey';

/** The key to decide on. */
export interface TKeyTrustCandidate {
  /** The C2SP verifier key (`name+hash+base64`). */
  readonly vkey: string;
  /** Its fingerprint as the viewer computes it, to compare out of band. */
  readonly fingerprint: string;
}

/** Props of `KeyTrustDialog`. */
export interface TKeyTrustDialogProps {
  /** Shows the dialog (modal) when `true` and a key is given. */
  readonly open: boolean;
  readonly signer: TKeyTrustCandidate | null;
  /** Where the key was seen (a bundle file name), for the explanation. */
  readonly seenIn?: string;
  readonly onTrust: (signer: TKeyTrustCandidate) => void;
  /** Cancel, Escape or closing the dialog. */
  readonly onCancel: () => void;
}

/** The trust-on-first-use dialog. */
export function KeyTrustDialog({ open, signer, seenIn, onTrust, onCancel }: TKeyTrustDialogProps): ReactElement {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [confirmed, setConfirmed] = useState(false);
  const show = open && signer !== null;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (show && !dialog.open) {
      setConfirmed(false);
      dialog.showModal();
      // Cancel takes the focus (not the first control, not "Trust"): trusting must be deliberate.
      cancelRef.current?.focus();
    } else if (!show && dialog.open) dialog.close();
  }, [show]);

  return (
    <dialog
      ref={ref}
      className="cu-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {signer === null ? null : (
        <form
          method="dialog"
          className="cu-dialog-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (confirmed) onTrust(signer);
          }}
        >
          <header className="cu-dialog-head">
            <Icon name="key" size={22} />
            <h2 id={`${id}-title`}>Trust a new signing key?</h2>
          </header>
          <div id={`${id}-body`} className="cu-dialog-body">
            <p>
              {seenIn === undefined ? 'This evidence' : <strong>{seenIn}</strong>} is signed by a key this viewer has not seen before. Until you trust it, nothing it signed is
              reported as verified.
            </p>
            <dl className="cu-kv">
              <div className="cu-kv-row">
                <dt>Key name</dt>
                <dd>
                  <strong>{vkeyName(signer.vkey)}</strong>
                </dd>
              </div>
              <div className="cu-kv-row">
                <dt>Fingerprint</dt>
                <dd>
                  <code className="cu-fingerprint cu-fingerprint-large" data-testid="trust-fingerprint">
                    {signer.fingerprint}
                  </code>
                  <CopyButton text={signer.fingerprint} label="Copy fingerprint" />
                </dd>
              </div>
            </dl>
            <details className="cu-details">
              <summary>Full verifier key</summary>
              <pre className="cu-note-text">{signer.vkey}</pre>
            </details>
            <p className="cu-callout cu-callout-warning cu-small">
              <Icon name="alert" />
              <span>Compare the fingerprint with one you obtained from the producer through a separate channel (a phone call, a signed letter, their published keys). A matching name proves nothing.</span>
            </p>
            <label className="cu-check cu-confirm">
              <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
              I compared this fingerprint with one from a trusted channel, and it matches.
            </label>
          </div>
          <footer className="cu-dialog-actions">
            <button ref={cancelRef} type="button" className="cu-button" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className="cu-button cu-button-primary" disabled={!confirmed}>
              Trust this key
            </button>
          </footer>
        </form>
      )}
    </dialog>
  );
}
