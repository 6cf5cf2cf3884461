import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';

import { Field } from '../components/field';
import { Link } from '../components/link';
import { EmptyState, ErrorBanner, PageHeader, Spinner } from '../components/states';
import type { TOrganization } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import { formatCount, formatUtcMinutes } from '../lib/format';
import { useSession } from '../session';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Every organization the key can see, with its log size and origin; create one (admin keys not bound to one). */
export function OrganizationsPage() {
  const session = useSession();
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const organizations = session.organizations;
  // The form starts open on a server without organizations: creating one is the first thing to do.
  const [creating, setCreating] = useState(organizations.length === 0);

  // Event counts change all the time: reload them whenever this page opens.
  const { refreshOrganizations, reportError } = session;
  useEffect(() => {
    refreshOrganizations().catch((error: unknown) => {
      setRefreshError(error);
      reportError(error);
    });
  }, [refreshOrganizations, reportError]);

  const refresh = () => {
    setRefreshing(true);
    setRefreshError(null);
    session.refreshOrganizations().then(
      () => setRefreshing(false),
      (error: unknown) => {
        setRefreshing(false);
        setRefreshError(error);
        session.reportError(error);
      },
    );
  };

  return (
    <div className="page">
      <PageHeader
        title="Organizations"
        subtitle="Each organization has its own verifiable log: an append-only Merkle tree with signed, hash-chained checkpoints."
        actions={
          <>
            <button type="button" className="button" onClick={refresh} disabled={refreshing}>
              {refreshing ? <><Spinner /> Refreshing…</> : 'Refresh'}
            </button>
            <button type="button" className="button button-primary" onClick={() => setCreating(true)} disabled={creating}>
              New organization
            </button>
          </>
        }
      />
      {refreshError !== null && <ErrorBanner error={refreshError} title="Could not reload organizations" onRetry={refresh} />}
      {creating && <CreateOrganizationCard onClose={() => setCreating(false)} />}
      <section className="card">
        <div className="card-header">
          <h2>All organizations</h2>
          <span className="muted">{organizations.length === 1 ? '1 organization' : `${organizations.length} organizations`}</span>
        </div>
        {organizations.length === 0 ? (
            <EmptyState title="No organizations yet">
              Create the first one. Applications then send events to it with an <code>events:write</code> key.
            </EmptyState>
          ) : (
            <OrganizationTable organizations={organizations} />
          )}
      </section>
    </div>
  );
}

function OrganizationTable({ organizations }: { organizations: TOrganization[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="organizations-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>ID</th>
            <th className="num">Events</th>
            <th>Log origin</th>
            <th>Created</th>
            <th><span className="sr-only">Open</span></th>
          </tr>
        </thead>
        <tbody>
          {organizations.map((o) => (
            <tr key={o.id} data-org={o.id}>
              <td className="strong"><span className="cell-clip" title={o.name}>{o.name}</span></td>
              <td className="mono">{o.id}</td>
              <td className="num" data-testid="org-size">{formatCount(o.size)}</td>
              <td className="mono small">{o.origin}</td>
              <td className="nowrap">{formatUtcMinutes(o.createdAt)}</td>
              <td className="actions">
                <Link to={`/orgs/${encodeURIComponent(o.id)}/events`} className="button button-small">
                  Open events
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateOrganizationCard({ onClose }: { onClose: () => void }) {
  const session = useSession();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<TOrganization | null>(null);
  const idInvalid = id.trim() !== '' && !ID_PATTERN.test(id.trim());

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '' || idInvalid) return;
    setBusy(true);
    setError(null);
    setCreated(null);
    const trimmedId = id.trim();
    session.client.organizations
      .create.mutate({ name: name.trim(), ...(trimmedId === '' ? {} : { id: trimmedId }) })
      .then(async (organization) => {
        setCreated(organization);
        setId('');
        setName('');
        await session.refreshOrganizations();
      })
      .catch((e: unknown) => {
        setError(e);
        session.reportError(e);
      })
      .finally(() => setBusy(false));
  };

  const forbidden = error !== null && describeError(error).code === 'FORBIDDEN';
  return (
    <section className="card">
      <div className="card-header">
        <h2>New organization</h2>
      </div>
      <form className="form card-body create-org" onSubmit={submit} aria-label="Create an organization">
        <Field label="Name">
          {(control) => (
            <input {...control} name="name" className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required placeholder="Acme Inc." />
          )}
        </Field>
        <Field
          label={<>ID <span className="muted">(optional)</span></>}
          help={<>Letters, digits, <code>_</code> and <code>-</code>, up to 64. It appears in URLs and in the log origin; it cannot change.</>}
          error={idInvalid ? 'Use letters, digits, _ and -, starting with a letter or digit (up to 64).' : undefined}
        >
          {(control) => (
            <input {...control} name="id" className="input mono" value={id} onChange={(e) => setId(e.target.value)} placeholder="acme (generated when empty)" />
          )}
        </Field>
        {error !== null && (
          <ErrorBanner
            error={error}
            title={forbidden ? 'Your API key cannot create organizations' : 'The organization was not created'}
          />
        )}
        {forbidden && (
          <p className="field-help">Creating organizations needs an <code>admin</code> key that is not bound to one organization.</p>
        )}
        {created !== null && (
          <div className="alert alert-success" role="status">
            <div className="alert-main">
              <strong>Created {created.name}</strong>
              <span>
                Log origin <code>{created.origin}</code>.{' '}
                <Link to={`/orgs/${encodeURIComponent(created.id)}/events`}>Open its events</Link>
              </span>
            </div>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || name.trim() === '' || idInvalid}>
            {busy ? <><Spinner /> Creating…</> : 'Create organization'}
          </button>
          <button type="button" className="button button-ghost" onClick={onClose}>Close</button>
        </div>
      </form>
    </section>
  );
}
