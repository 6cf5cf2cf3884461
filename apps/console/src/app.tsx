/**
 * Routes (the URL is the state; see lib/router.ts):
 *   /                                   → the last organization's events, else /organizations
 *   /organizations                      → list and create organizations
 *   /orgs/:organizationId/events?…      → search events (filters in the query string)
 *   /orgs/:organizationId/log           → checkpoints, verifier keys, chain verification
 *   /orgs/:organizationId/registry      → the action registry editor
 *   /orgs/:organizationId/keys          → API keys
 *   /orgs/:organizationId/exports       → e-discovery export jobs (new, list, download, report)
 */
import { useEffect } from 'react';

import { AppShell, ORGANIZATION_PAGES } from './components/app-shell';
import type { TOrganizationPage } from './components/app-shell';
import { Link } from './components/link';
import { EmptyState, PageHeader } from './components/states';
import { readLastOrganization, writeLastOrganization } from './lib/key-storage';
import { matchPath, navigate, useLocation } from './lib/router';
import { ApiKeysPage } from './pages/api-keys-page';
import { EventsPage } from './pages/events-page';
import { ExportsPage } from './pages/exports-page';
import { LogPage } from './pages/log-page';
import { OrganizationsPage } from './pages/organizations-page';
import { RegistryPage } from './pages/registry-page';
import { SessionProvider, useSession } from './session';

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function isOrganizationPage(page: string): page is TOrganizationPage {
  return ORGANIZATION_PAGES.some((p) => p.id === page);
}

function Routes() {
  const { pathname } = useLocation();
  const { organizations } = useSession();

  if (pathname === '/' || pathname === '/sign-in') {
    const last = readLastOrganization();
    const target = organizations.find((o) => o.id === last) ?? organizations[0];
    return <Redirect to={target === undefined ? '/organizations' : `/orgs/${encodeURIComponent(target.id)}/events`} />;
  }
  if (pathname === '/organizations') {
    const last = readLastOrganization();
    const context = organizations.find((o) => o.id === last) ?? organizations[0];
    return (
      <AppShell organizationId={context?.id ?? null} page="organizations">
        <OrganizationsPage />
      </AppShell>
    );
  }
  const shortcut = matchPath('/orgs/:organizationId', pathname);
  if (shortcut !== null) return <Redirect to={`/orgs/${encodeURIComponent(shortcut.organizationId ?? '')}/events`} />;
  const match = matchPath('/orgs/:organizationId/:page', pathname);
  if (match !== null && isOrganizationPage(match.page ?? '')) {
    return <OrganizationRoute organizationId={match.organizationId ?? ''} page={match.page as TOrganizationPage} />;
  }
  return (
    <AppShell organizationId={null} page={null}>
      <PageHeader title="Page not found" />
      <EmptyState title="There is no page at this address." action={<Link to="/" className="button">Go to the console</Link>} />
    </AppShell>
  );
}

function OrganizationRoute({ organizationId, page }: { organizationId: string; page: TOrganizationPage }) {
  const { organizations, refreshOrganizations } = useSession();
  const organization = organizations.find((o) => o.id === organizationId);
  useEffect(() => {
    if (organization !== undefined) writeLastOrganization(organization.id);
  }, [organization]);
  if (organization === undefined) {
    return (
      <AppShell organizationId={null} page={null}>
        <PageHeader title="Organization not found" />
        <EmptyState
          title={`No organization "${organizationId}" is visible to this API key.`}
          action={
            <>
              <button type="button" className="button" onClick={() => void refreshOrganizations()}>Reload organizations</button>{' '}
              <Link to="/organizations" className="button">All organizations</Link>
            </>
          }
        >
          It may not exist, or your key may be bound to another organization.
        </EmptyState>
      </AppShell>
    );
  }
  return (
    <AppShell organizationId={organization.id} page={page}>
      {page === 'events' && <EventsPage organization={organization} />}
      {page === 'log' && <LogPage organization={organization} />}
      {page === 'registry' && <RegistryPage organization={organization} />}
      {page === 'keys' && <ApiKeysPage organization={organization} />}
      {page === 'exports' && <ExportsPage organization={organization} />}
    </AppShell>
  );
}
