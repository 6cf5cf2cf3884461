import { useState } from 'react';
import type { FormEvent } from 'react';

import { checkApiKey } from '../lib/api-client';
import type { TOrganization } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import { Field } from '../components/field';
import { ErrorBanner, Spinner } from '../components/states';

const KEY_PREFIX = 'custody_sk_';

/**
 * Sign-in: paste an API key; it is checked with `organizations.list` before anything is stored. The key is
 * kept in this tab (sessionStorage) unless "remember on this device" is ticked (localStorage).
 */
export function SignInPage({ notice, unreachable, onRetry, onSignedIn }: {
  notice: string | null;
  unreachable?: unknown;
  onRetry?: (() => void) | undefined;
  onSignedIn: (apiKey: string, remember: boolean, organizations: TOrganization[]) => void;
}) {
  const [apiKey, setApiKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [reveal, setReveal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key === '') {
      setError('Paste an API key first.');
      return;
    }
    setBusy(true);
    setError(null);
    checkApiKey(key).then(
      (organizations) => onSignedIn(key, remember, organizations),
      (e: unknown) => {
        setBusy(false);
        const described = describeError(e);
        if (described.code === 'UNAUTHORIZED') {
          setError(
            key.startsWith(KEY_PREFIX)
              ? 'The server rejected this API key: it is unknown or has been revoked.'
              : `The server rejected this API key. Custody keys start with "${KEY_PREFIX}"; check that you pasted all of it.`,
          );
        } else {
          setError(described.message);
        }
      },
    );
  };

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="sign-in-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <div className="brand-name">Custody</div>
            <div className="brand-tagline">Tamper-evident audit log</div>
          </div>
        </div>
        <h1>Sign in with an API key</h1>
        {notice !== null && <div className="alert alert-info" role="status">{notice}</div>}
        {unreachable !== undefined && (
          <ErrorBanner error={unreachable} title="Could not check your saved API key" onRetry={onRetry} />
        )}
        <form onSubmit={submit} className="form" noValidate>
          <Field label="API key">
            {(control) => (
              <div className="input-group">
                <input
                  {...control}
                  aria-invalid={error !== null}
                  aria-describedby={error !== null ? 'sign-in-error' : undefined}
                  name="apiKey"
                  type={reveal ? 'text' : 'password'}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="custody_sk_…"
                  value={apiKey}
                  onChange={(e) => setApiKey(e.target.value)}
                  autoFocus
                  className="input mono"
                />
                <button type="button" className="button button-ghost" onClick={() => setReveal((r) => !r)} aria-pressed={reveal}>
                  {reveal ? 'Hide' : 'Show'}
                </button>
              </div>
            )}
          </Field>
          <label className="checkbox">
            <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
            <span>
              Remember on this device
              <small>Kept in this browser until you sign out. Leave unticked on a shared computer: the key is then forgotten when this tab closes.</small>
            </span>
          </label>
          {error !== null && (
            <div className="alert alert-error" role="alert" id="sign-in-error" data-testid="sign-in-error">
              {error}
            </div>
          )}
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? <><Spinner label="Checking" /> Checking key…</> : 'Sign in'}
          </button>
        </form>
        <div className="sign-in-help">
          <strong>First start?</strong> When the server creates its database it prints a <em>bootstrap admin key</em>{' '}
          (<code>{KEY_PREFIX}…</code>) in its terminal output, once. Paste it here, then create narrower keys on the API
          keys page and revoke the bootstrap key when you no longer need it.
        </div>
      </div>
    </main>
  );
}
