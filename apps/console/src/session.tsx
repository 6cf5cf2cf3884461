/**
 * The signed-in session: the API key, a client bound to it, and the organizations it can see. Keys are
 * checked with `organizations.list` at sign-in and when the console opens with a stored key; a key the
 * server rejects later (revoked while signed in) signs the console out with a message.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';

import { checkApiKey, createApiClient } from './lib/api-client';
import type { TApiClient, TOrganization, TScope, TWhoami } from './lib/api-client';
import { describeError } from './lib/describe-error';
import { clearStoredKey, readStoredKey, writeStoredKey } from './lib/key-storage';
import { LoadingState } from './components/states';
import { SignInPage } from './pages/sign-in-page';

export interface TSession {
  apiKey: string;
  /** True when the key is kept in localStorage ("remember on this device"). */
  remember: boolean;
  client: TApiClient;
  organizations: TOrganization[];
  /**
   * The key itself (`auth.whoami`: its name, organization and scopes), loaded once after sign-in: `null` until
   * known, or when the call failed (pages then let the server decide, and explain its refusal).
   */
  me: TWhoami | null;
  /** `me`'s scopes, or `null` while `me` is. */
  scopes: TScope[] | null;
  /** Reloads the organization list (after creating one, or to refresh event counts). */
  refreshOrganizations: () => Promise<void>;
  /** Reports an error from any call: an UNAUTHORIZED one ends the session. */
  reportError: (error: unknown) => void;
  signOut: () => void;
}

const SessionContext = createContext<TSession | null>(null);

/** The current session; only inside the signed-in part of the console. */
export function useSession(): TSession {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionProvider');
  return session;
}

/**
 * Reloads the organization list (the sidebar's event count, a page's own count) when a page opens for
 * `organizationId` and each time `generation` changes (its Refresh, Retry), so the count says the same as what the
 * page just loaded rather than what it was at sign-in. A failure goes to `reportError`.
 */
export function useOrganizationsRefresh(organizationId: string, generation: number): void {
  const { refreshOrganizations, reportError } = useSession();
  useEffect(() => {
    refreshOrganizations().catch(reportError);
  }, [organizationId, generation, refreshOrganizations, reportError]);
}

type TState =
  | { status: 'checking'; apiKey: string; remember: boolean }
  | { status: 'signed-out'; notice: string | null }
  | { status: 'unreachable'; apiKey: string; remember: boolean; error: unknown }
  | { status: 'signed-in'; apiKey: string; remember: boolean; organizations: TOrganization[] };

function initialState(): TState {
  const stored = readStoredKey();
  return stored === null ? { status: 'signed-out', notice: null } : { status: 'checking', ...stored };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<TState>(initialState);

  const checking = state.status === 'checking' ? state : null;
  useEffect(() => {
    if (checking === null) return;
    let current = true;
    checkApiKey(checking.apiKey).then(
      (organizations) => current && setState({ status: 'signed-in', apiKey: checking.apiKey, remember: checking.remember, organizations }),
      (error: unknown) => {
        if (!current) return;
        if (describeError(error).code === 'UNAUTHORIZED') {
          clearStoredKey();
          setState({ status: 'signed-out', notice: 'Your saved API key is no longer accepted (it was revoked or deleted). Sign in with another key.' });
        } else {
          setState({ status: 'unreachable', apiKey: checking.apiKey, remember: checking.remember, error });
        }
      },
    );
    return () => {
      current = false;
    };
  }, [checking]);

  const signOut = useCallback(() => {
    clearStoredKey();
    setState({ status: 'signed-out', notice: 'You are signed out. The API key was removed from this browser.' });
  }, []);

  const apiKey = state.status === 'signed-in' ? state.apiKey : null;
  const client = useMemo(() => (apiKey === null ? null : createApiClient(apiKey)), [apiKey]);

  // The key's scopes decide which pages the sidebar offers (Exports needs `export` or `admin`) and what a page lets
  // the key change (the registry needs `admin`).
  const [whoami, setWhoami] = useState<{ client: TApiClient; me: TWhoami } | null>(null);
  useEffect(() => {
    if (client === null) return;
    let current = true;
    client.auth.whoami.query().then(
      (me) => current && setWhoami({ client, me }),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client]);
  const me = whoami !== null && whoami.client === client ? whoami.me : null;

  const refreshOrganizations = useCallback(async () => {
    if (client === null) return;
    const organizations = await client.organizations.list.query();
    setState((s) => (s.status === 'signed-in' ? { ...s, organizations } : s));
  }, [client]);

  const reportError = useCallback((error: unknown) => {
    if (describeError(error).code === 'UNAUTHORIZED') {
      clearStoredKey();
      setState({ status: 'signed-out', notice: 'The server no longer accepts this API key (it may have been revoked). Sign in again.' });
    }
  }, []);

  const session = useMemo<TSession | null>(
    () =>
      state.status === 'signed-in' && client !== null
        ? { apiKey: state.apiKey, remember: state.remember, client, organizations: state.organizations, me, scopes: me?.scopes ?? null, refreshOrganizations, reportError, signOut }
        : null,
    [state, client, me, refreshOrganizations, reportError, signOut],
  );

  if (state.status === 'checking') return <div className="splash"><LoadingState label="Checking your API key…" /></div>;
  if (state.status === 'signed-out' || state.status === 'unreachable') {
    return (
      <SignInPage
        notice={state.status === 'signed-out' ? state.notice : null}
        unreachable={state.status === 'unreachable' ? state.error : undefined}
        onRetry={state.status === 'unreachable' ? () => setState({ status: 'checking', apiKey: state.apiKey, remember: state.remember }) : undefined}
        onSignedIn={(key, remember, organizations) => {
          writeStoredKey(key, remember);
          setState({ status: 'signed-in', apiKey: key, remember, organizations });
        }}
      />
    );
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
