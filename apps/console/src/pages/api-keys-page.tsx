import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';

import { CopyButton } from '../components/copy-button';
import { Dialog } from '../components/dialog';
import { Field } from '../components/field';
import { EmptyState, ErrorBanner, LoadingState, PageHeader, Spinner } from '../components/states';
import { SCOPES } from '../lib/api-client';
import type { TApiKey, TOrganization, TScope } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import { formatRelative, formatUtcMinutes } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { useSession } from '../session';

const SCOPE_HELP: Record<TScope, string> = {
  'events:read': 'Search events; read checkpoints and proofs',
  'events:write': 'Send events (for applications)',
  export: 'Bulk export (for export tools)',
  admin: 'Everything, plus organizations, API keys and the action registry',
};

/** How many characters of a secret the server keeps as its prefix (`custody_sk_` + 6). */
const PREFIX_LENGTH = 17;

/** API keys: list, create (secret shown once), revoke with confirmation. Needs an admin key. */
export function ApiKeysPage({ organization }: { organization: TOrganization }) {
  const session = useSession();
  const { client } = session;
  const [onlyThisOrganization, setOnlyThisOrganization] = useState(false);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ key: TApiKey; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<TApiKey | null>(null);

  // An unbound admin key sees every key; a key bound to one organization sees that organization's keys.
  const keys = useAsync(async (signal) => {
    const { organizationId } = await client.auth.whoami.query(undefined, { signal });
    if (organizationId === null) return { scope: 'all' as const, keys: await client.apiKeys.list.query({}, { signal }) };
    return { scope: 'organization' as const, keys: await client.apiKeys.list.query({ organizationId: organization.id }, { signal }) };
  }, organization.id);
  const { reportError } = session;
  useEffect(() => {
    if (keys.status === 'error') reportError(keys.error);
  }, [keys.status, keys.error, reportError]);

  const ownPrefix = session.apiKey.slice(0, PREFIX_LENGTH);
  const shown = (keys.data?.keys ?? []).filter((k) => !onlyThisOrganization || k.organizationId === null || k.organizationId === organization.id);
  const forbidden = keys.status === 'error' && describeError(keys.error).code === 'FORBIDDEN';

  return (
    <div className="page">
      <PageHeader
        title="API keys"
        subtitle="Keys authenticate applications and people. Secrets are shown once at creation and stored only as a hash."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)} disabled={creating || forbidden}>
            New API key
          </button>
        }
      />

      {secret !== null && <SecretPanel created={secret} onDismiss={() => setSecret(null)} />}

      {creating && (
        <CreateKeyForm
          organization={organization}
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            keys.reload();
          }}
        />
      )}

      <section className="card">
        <div className="card-header">
          <h2>Keys</h2>
          <div className="card-header-actions">
            {keys.data?.scope === 'organization' && <span className="muted small">Your key is bound to {organization.id}: showing its keys only.</span>}
            {keys.data?.scope === 'all' && (
              <label className="checkbox checkbox-inline">
                <input type="checkbox" checked={onlyThisOrganization} onChange={(e) => setOnlyThisOrganization(e.target.checked)} />
                <span>Only keys valid for {organization.id}</span>
              </label>
            )}
          </div>
        </div>
        {keys.status === 'error' ? (
          <div className="card-body">
            <ErrorBanner
              error={keys.error}
              title={forbidden ? 'Managing API keys needs an admin key' : 'Could not load API keys'}
              onRetry={forbidden ? undefined : keys.reload}
            />
          </div>
        ) : keys.data === undefined ? (
          <LoadingState label="Loading API keys…" />
        ) : shown.length === 0 ? (
          <EmptyState title="No API keys" />
        ) : (
          <div className="table-wrap">
            <table className="table table-keys" data-testid="keys-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Prefix</th>
                  <th>Organization</th>
                  <th>Scopes</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>Status</th>
                  <th><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {shown.map((k) => (
                  <tr key={k.id} data-key-id={k.id} data-key-name={k.name} className={k.revokedAt !== null ? 'row-muted' : undefined}>
                    <td className="strong">
                      <span className="cell-clip" title={k.name}>{k.name}</span>
                      {k.prefix === ownPrefix && <span className="badge badge-info" title="You are signed in with this key">you</span>}
                    </td>
                    <td className="mono nowrap">{k.prefix}…</td>
                    <td>{k.organizationId === null ? <span className="badge badge-plain badge-wrap">All organizations</span> : <span className="mono">{k.organizationId}</span>}</td>
                    <td>
                      <div className="badges">
                        {k.scopes.map((s) => (
                          <span key={s} className={s === 'admin' ? 'badge badge-warning' : 'badge'}>{s}</span>
                        ))}
                      </div>
                    </td>
                    <td>{formatUtcMinutes(k.createdAt)}</td>
                    <td title={k.lastUsedAt ?? undefined}>{k.lastUsedAt === null ? <span className="muted">never</span> : formatRelative(k.lastUsedAt)}</td>
                    <td data-testid="key-status">
                      {k.revokedAt === null ? (
                        <span className="status status-ok">Active</span>
                      ) : (
                        <span className="status status-revoked status-wrap" title={k.revokedAt}>Revoked {formatUtcMinutes(k.revokedAt)}</span>
                      )}
                    </td>
                    <td className="actions">
                      {k.revokedAt === null && (
                        <button type="button" className="button button-small button-danger-ghost" onClick={() => setRevoking(k)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <RevokeDialog
        apiKey={revoking}
        own={revoking !== null && revoking.prefix === ownPrefix}
        onClose={() => setRevoking(null)}
        onRevoked={(own) => {
          setRevoking(null);
          if (own) session.signOut();
          else keys.reload();
        }}
      />
    </div>
  );
}

function CreateKeyForm({ organization, onCancel, onCreated }: {
  organization: TOrganization;
  onCancel: () => void;
  onCreated: (created: { key: TApiKey; secret: string }) => void;
}) {
  const session = useSession();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<TScope[]>(['events:read']);
  const [binding, setBinding] = useState<'organization' | 'all'>('organization');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // Why "Create key" is disabled, said next to it rather than left to guess.
  const noName = name.trim() === '';
  const missing =
    noName && scopes.length === 0
      ? 'Enter a name and choose a scope to create the key.'
      : noName
        ? 'Enter a name to create the key.'
        : scopes.length === 0
          ? 'Choose at least one scope to create the key.'
          : null;
  const toggle = (scope: TScope, on: boolean) => setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '' || scopes.length === 0) return;
    setBusy(true);
    setError(null);
    session.client.apiKeys
      .create.mutate({ name: name.trim(), scopes: SCOPES.filter((s) => scopes.includes(s)), organizationId: binding === 'all' ? null : organization.id })
      .then(onCreated, (e: unknown) => {
        setError(e);
        session.reportError(e);
      })
      .finally(() => setBusy(false));
  };

  return (
    <form className="card form create-key" onSubmit={submit} aria-label="Create an API key">
      <div className="card-header">
        <h2>New API key</h2>
      </div>
      <div className="card-body create-key-grid">
        <Field label="Name" help="Who or what uses it: shown in this list and in the server's logs.">
          {(control) => (
            <input {...control} name="keyName" className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="billing-service production" required autoFocus />
          )}
        </Field>
        <fieldset className="field">
          <legend className="field-label">Scopes</legend>
          {SCOPES.map((scope) => (
            <label className="checkbox" key={scope}>
              <input type="checkbox" name={`scope-${scope}`} checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
              <span>
                <code>{scope}</code>
                <small>{SCOPE_HELP[scope]}</small>
              </span>
            </label>
          ))}
          {scopes.length === 0 && <span className="field-help field-help-error">Choose at least one scope.</span>}
        </fieldset>
        <fieldset className="field">
          <legend className="field-label">Valid for</legend>
          <label className="checkbox">
            <input type="radio" name="binding" value="organization" checked={binding === 'organization'} onChange={() => setBinding('organization')} />
            <span>
              {organization.name} <code>{organization.id}</code> only
              <small>Recommended: the key cannot touch other organizations.</small>
            </span>
          </label>
          <label className="checkbox">
            <input type="radio" name="binding" value="all" checked={binding === 'all'} onChange={() => setBinding('all')} />
            <span>
              All organizations
              <small>Needs an admin key that is itself valid for all organizations.</small>
            </span>
          </label>
        </fieldset>
      </div>
      {error !== null && (
        <div className="card-body">
          <ErrorBanner error={error} title="The key was not created" />
        </div>
      )}
      <div className="form-actions card-footer">
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || missing !== null}
          aria-describedby={missing === null ? undefined : 'create-key-missing'}
        >
          {busy ? <><Spinner /> Creating…</> : 'Create key'}
        </button>
        <button type="button" className="button button-ghost" onClick={onCancel}>Cancel</button>
        {missing !== null && <span className="muted small" id="create-key-missing" data-testid="create-key-missing">{missing}</span>}
      </div>
    </form>
  );
}

function SecretPanel({ created, onDismiss }: { created: { key: TApiKey; secret: string }; onDismiss: () => void }) {
  const secretRef = useRef<HTMLElement>(null);
  return (
    <section className="card secret-panel" aria-label="New API key secret" data-testid="secret-panel">
      <div className="alert alert-warning">
        <div className="alert-main">
          <strong>Copy the secret of “{created.key.name}” now: it will not be shown again.</strong>
          <span>The server keeps only a hash. If you lose it, revoke the key and create another.</span>
        </div>
      </div>
      <div className="secret-row">
        <code className="secret mono" data-testid="secret-value" ref={secretRef}>{created.secret}</code>
        <CopyButton text={created.secret} label="Copy secret" className="button button-primary" selectTarget={secretRef} />
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={onDismiss}>I have stored it</button>
      </div>
    </section>
  );
}

function RevokeDialog({ apiKey, own, onClose, onRevoked }: {
  apiKey: TApiKey | null;
  own: boolean;
  onClose: () => void;
  onRevoked: (own: boolean) => void;
}) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  const revoke = () => {
    if (apiKey === null) return;
    setBusy(true);
    setError(null);
    session.client.apiKeys
      .revoke.mutate({ keyId: apiKey.id })
      .then(() => onRevoked(own), setError)
      .finally(() => setBusy(false));
  };
  return (
    <Dialog
      title="Revoke this API key?"
      open={apiKey !== null}
      onClose={close}
      footer={
        <>
          <button type="button" className="button button-ghost" onClick={close} disabled={busy}>Cancel</button>
          <button type="button" className="button button-danger" onClick={revoke} disabled={busy}>
            {busy ? <><Spinner /> Revoking…</> : 'Revoke key'}
          </button>
        </>
      }
    >
      {apiKey !== null && (
        <>
          <p>
            <strong>{apiKey.name}</strong> (<code>{apiKey.prefix}…</code>) stops working within seconds. Applications using it get{' '}
            <code>401 Unauthorized</code>. This cannot be undone.
          </p>
          {own && (
            <div className="alert alert-warning">
              <div className="alert-main">
                <strong>This is the key you are signed in with.</strong>
                <span>The console signs you out after revoking it.</span>
              </div>
            </div>
          )}
          {error !== null && <ErrorBanner error={error} title="The key was not revoked" />}
        </>
      )}
    </Dialog>
  );
}
