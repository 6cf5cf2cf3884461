import { useEffect, useState } from 'react';

import { Dialog } from '../components/dialog';
import { ErrorBanner, LoadingState, PageHeader, Spinner } from '../components/states';
import type { TOrganization } from '../lib/api-client';
import { describeError } from '../lib/describe-error';
import type { TIssue } from '../lib/describe-error';
import { useAsync } from '../lib/use-async';
import { useSession } from '../session';

const EXAMPLE = {
  strict: false,
  actions: {
    'user.signed_in': [
      {
        version: 1,
        metadata: {
          fields: { method: { type: 'string', enum: ['password', 'sso', 'passkey'] } },
          required: ['method'],
        },
        required_fields: ['context.user_agent'],
      },
    ],
  },
};

type TSave =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'saved'; removed: boolean }
  | { status: 'json-error'; message: string }
  | { status: 'error'; error: unknown; issues: TIssue[] };

function pretty(registry: unknown): string {
  return registry === null || registry === undefined ? '' : JSON.stringify(registry, null, 2);
}

/**
 * The organization's action registry (which actions exist, their versions, targets and metadata) as JSON. The
 * server validates it; each problem is listed with its path.
 */
export function RegistryPage({ organization }: { organization: TOrganization }) {
  const session = useSession();
  const { client, reportError } = session;
  const current = useAsync((signal) => client.organizations.get.query({ organizationId: organization.id }, { signal }), organization.id);
  // Changing the registry needs `admin`: a key without it sees the registry read-only, and why, rather than an
  // editor whose Save can only be refused. Unknown scopes (the session's whoami failed) leave the editor open with a note.
  const { me } = session;
  const readOnly = me !== null && !me.scopes.includes('admin');
  const [text, setText] = useState<string | null>(null);
  const [save, setSave] = useState<TSave>({ status: 'idle' });
  const [confirmRemove, setConfirmRemove] = useState(false);

  useEffect(() => {
    if (current.status === 'error') reportError(current.error);
  }, [current.status, current.error, reportError]);

  const stored = current.data === undefined ? '' : pretty(current.data.actionRegistry);
  const value = text ?? stored;
  const dirty = text !== null && text !== stored;

  const submit = (registry: unknown) => {
    setSave({ status: 'saving' });
    client.organizations.setActionRegistry.mutate({ organizationId: organization.id, registry }).then(
      () => {
        setSave({ status: 'saved', removed: registry === null });
        setText(null);
        current.reload();
      },
      (error: unknown) => {
        setSave({ status: 'error', error, issues: describeError(error).issues });
        reportError(error);
      },
    );
  };

  const saveText = () => {
    if (value.trim() === '') {
      setSave({ status: 'json-error', message: 'The editor is empty. Enter registry JSON, or use "Remove registry" to validate events by the base schema only.' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      setSave({ status: 'json-error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    submit(parsed);
  };

  const format = () => {
    try {
      setText(JSON.stringify(JSON.parse(value), null, 2));
      setSave({ status: 'idle' });
    } catch (error) {
      setSave({ status: 'json-error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Action registry"
        subtitle={<>Declares the actions <strong>{organization.name}</strong> logs: versions, allowed targets, typed metadata, required fields. Events that break it are rejected at ingest.</>}
      />
      {current.status === 'error' ? (
        <ErrorBanner error={current.error} title="Could not load the registry" onRetry={current.reload} />
      ) : current.data === undefined ? (
        <LoadingState label="Loading the registry…" />
      ) : (
        <div className="grid-2-1">
          <section className="card">
            <div className="card-header">
              <h2>Registry JSON</h2>
              <span className="muted small">
                {current.data.actionRegistry === null ? 'No registry: every well-formed event is accepted.' : dirty ? 'Unsaved changes' : 'Saved'}
              </span>
            </div>
            <div className="card-body">
              {readOnly && (
                <div className="alert alert-info" role="note" data-testid="registry-read-only">
                  <div className="alert-main">
                    <strong>Read only: changing the registry needs an admin key.</strong>
                    <span>
                      This key ({me.name}) has {me.scopes.length === 1 ? 'scope' : 'scopes'} {me.scopes.join(', ')}. Sign in with a key
                      that has <code>admin</code> to edit it.
                    </span>
                  </div>
                </div>
              )}
              {me === null && <p className="muted small">Saving needs an <code>admin</code> key.</p>}
              <textarea
                className="textarea code-editor"
                aria-label="Action registry JSON"
                name="registry"
                readOnly={readOnly}
                spellCheck={false}
                value={value}
                placeholder={'{\n  "strict": false,\n  "actions": { … }\n}'}
                onChange={(e) => {
                  setText(e.target.value);
                  if (save.status !== 'saving') setSave({ status: 'idle' });
                }}
                rows={24}
              />
              <SaveResult save={save} />
              {!readOnly && <div className="form-actions">
                <button type="button" className="button button-primary" onClick={saveText} disabled={save.status === 'saving' || (!dirty && current.data.actionRegistry !== null)}>
                  {save.status === 'saving' ? <><Spinner /> Saving…</> : 'Save registry'}
                </button>
                <button type="button" className="button" onClick={format} disabled={value.trim() === ''}>Format JSON</button>
                <button type="button" className="button" onClick={() => { setText(null); setSave({ status: 'idle' }); }} disabled={!dirty}>Discard changes</button>
                {value.trim() === '' && (
                  <button type="button" className="button" onClick={() => setText(JSON.stringify(EXAMPLE, null, 2))}>Insert an example</button>
                )}
                <span className="spacer" />
                {current.data.actionRegistry !== null && (
                  <button type="button" className="button button-danger-ghost" onClick={() => setConfirmRemove(true)}>Remove registry</button>
                )}
              </div>}
            </div>
          </section>
          <aside className="card">
            <div className="card-header"><h2>Format</h2></div>
            <div className="card-body prose small">
              <p><code>strict</code>: when true, actions not listed are rejected. Listed actions accept only their listed versions.</p>
              <p><code>actions["name"]</code>: a list of versions, each with:</p>
              <ul>
                <li><code>version</code>: an integer from 1;</li>
                <li><code>targets</code>: <code>types</code> with optional <code>min</code>/<code>max</code> counts per type, and overall <code>min</code>/<code>max</code>;</li>
                <li><code>metadata</code>: typed <code>fields</code> (<code>string</code>, <code>number</code>, <code>boolean</code>; <code>enum</code>, <code>pattern</code>, <code>min</code>/<code>max</code>), <code>required</code> keys, <code>allow_undeclared</code>;</li>
                <li><code>required_fields</code>: optional event fields made mandatory, e.g. <code>context.user_agent</code>.</li>
              </ul>
              <p>Changes apply to events received after saving. Logged events are never re-validated or changed.</p>
            </div>
          </aside>
        </div>
      )}
      <Dialog
        title="Remove the action registry?"
        open={confirmRemove}
        onClose={() => setConfirmRemove(false)}
        footer={
          <>
            <button type="button" className="button button-ghost" onClick={() => setConfirmRemove(false)}>Cancel</button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => {
                setConfirmRemove(false);
                submit(null);
              }}
            >
              Remove registry
            </button>
          </>
        }
      >
        <p>New events will be checked against the base event schema only: any action, any metadata.</p>
      </Dialog>
    </div>
  );
}

/** Issue messages start with their path (`strict: must be a boolean`); the table shows the path already. */
function withoutPath(issue: TIssue): string {
  const prefix = `${issue.path}: `;
  const text = issue.path !== '' && issue.message.startsWith(prefix) ? issue.message.slice(prefix.length) : issue.message;
  return text.length === 0 ? text : (text[0]?.toUpperCase() ?? '') + text.slice(1);
}

function SaveResult({ save }: { save: TSave }) {
  if (save.status === 'saved') {
    return (
      <div className="alert alert-success" role="status" data-testid="registry-saved">
        {save.removed ? 'Registry removed.' : 'Registry saved (as canonical JSON, keys sorted). Events received from now on are validated against it.'}
      </div>
    );
  }
  if (save.status === 'json-error') {
    return (
      <div className="alert alert-error" role="alert" data-testid="registry-json-error">
        <div className="alert-main">
          <strong>Not valid JSON</strong>
          <span>{save.message}</span>
        </div>
      </div>
    );
  }
  if (save.status === 'error') {
    if (save.issues.length === 0) return <ErrorBanner error={save.error} title="The registry was not saved" />;
    return (
      <div className="alert alert-error" role="alert" data-testid="registry-issues">
        <div className="alert-main">
          <strong>The server rejected the registry ({save.issues.length === 1 ? '1 problem' : `${save.issues.length} problems`})</strong>
          <table className="issues">
            <thead>
              <tr>
                <th>Path</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {save.issues.map((issue, i) => (
                <tr key={i} data-path={issue.path}>
                  <td className="mono nowrap">{issue.path === '' ? '(whole registry)' : issue.path}</td>
                  <td>
                    {withoutPath(issue)} <span className="muted mono small">{issue.code}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    );
  }
  return null;
}
