import { useState } from 'react';
import type { ReactNode } from 'react';

import { formatCount } from '../lib/format';
import { navigate, useLocation } from '../lib/router';
import { useSession } from '../session';
import { Icon } from './icon';
import { Link } from './link';

/** The pages of one organization, in sidebar order. */
export const ORGANIZATION_PAGES = [
  { id: 'events', label: 'Events', icon: 'events' },
  { id: 'log', label: 'Verifiable log', icon: 'log' },
  { id: 'registry', label: 'Action registry', icon: 'registry' },
  { id: 'keys', label: 'API keys', icon: 'keys' },
  { id: 'exports', label: 'Exports', icon: 'exports' },
] as const;

export type TOrganizationPage = (typeof ORGANIZATION_PAGES)[number]['id'];

/**
 * Whether a key with these scopes may use exports (`export`, or `admin`, which implies every scope). Unknown
 * scopes (`null`: not loaded yet, or `auth.whoami` failed) count as no.
 */
export function canExport(scopes: readonly string[] | null): boolean {
  return scopes !== null && (scopes.includes('export') || scopes.includes('admin'));
}

/** Sidebar (brand, organization switcher, navigation, session) and the page. */
export function AppShell({ organizationId, page, children }: {
  organizationId: string | null;
  page: TOrganizationPage | 'organizations' | null;
  children: ReactNode;
}) {
  const session = useSession();
  const { organizations } = session;
  const current = organizations.find((o) => o.id === organizationId) ?? null;
  const keyHint = `${session.apiKey.slice(0, 17)}…`;
  // On narrow screens (CSS, width <= 900px) the sidebar folds into a bar with a Menu button, so the page starts
  // on the first screen; going to another page folds it again.
  const { pathname } = useLocation();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === pathname;
  return (
    <div className="shell">
      {/* The first Tab stop: past the sidebar's links to the page (the main element takes focus). */}
      <a
        href="#main"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <aside className={menuOpen ? 'sidebar sidebar-open' : 'sidebar'}>
        <div className="sidebar-top">
          <Link to="/" className="sidebar-brand" aria-label="Custody home">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>Custody</span>
          </Link>
          {current !== null && <span className="sidebar-top-org">{current.name}</span>}
          <button
            type="button"
            className="button button-small button-sidebar menu-button"
            aria-expanded={menuOpen}
            aria-controls="sidebar-menu"
            onClick={() => setOpenOn(menuOpen ? null : pathname)}
          >
            <Icon name="menu" /> Menu
          </button>
        </div>
        <div className="sidebar-menu" id="sidebar-menu">
          <div className="sidebar-section">
            <label className="sidebar-label" htmlFor="org-switcher">Organization</label>
            {organizations.length === 0 ? (
              <div className="sidebar-empty">No organizations yet</div>
            ) : (
              <select
                id="org-switcher"
                className="org-switcher"
                value={current?.id ?? ''}
                onChange={(e) => navigate(`/orgs/${encodeURIComponent(e.target.value)}/${page !== null && page !== 'organizations' ? page : 'events'}`)}
              >
                {current === null && <option value="">Choose…</option>}
                {organizations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.id})
                  </option>
                ))}
              </select>
            )}
            {current !== null && (
              <div className="sidebar-org-meta">
                <span data-testid="sidebar-event-count">{formatCount(current.size)} {current.size === 1 ? 'event' : 'events'}</span>
                <span className="mono" title="Log origin">{current.origin}</span>
              </div>
            )}
          </div>
          <nav className="sidebar-nav" aria-label="Main">
            {current !== null &&
              ORGANIZATION_PAGES.filter((p) => p.id !== 'exports' || canExport(session.scopes)).map((p) => (
                <Link
                  key={p.id}
                  to={`/orgs/${encodeURIComponent(current.id)}/${p.id}`}
                  className={page === p.id ? 'nav-item active' : 'nav-item'}
                  aria-current={page === p.id ? 'page' : undefined}
                >
                  <span className="nav-icon"><Icon name={p.icon} /></span>
                  {p.label}
                </Link>
              ))}
            <div className="sidebar-label sidebar-label-spaced">Server</div>
            <Link to="/organizations" className={page === 'organizations' ? 'nav-item active' : 'nav-item'} aria-current={page === 'organizations' ? 'page' : undefined}>
              <span className="nav-icon"><Icon name="organizations" /></span>
              Organizations
            </Link>
          </nav>
          <div className="sidebar-footer">
            <div className="sidebar-label">Signed in with</div>
            <div className="mono sidebar-key" title="The start of your API key">{keyHint}</div>
            <div className="sidebar-key-note">{session.remember ? 'Remembered on this device' : 'This tab only'}</div>
            <button type="button" className="button button-small button-sidebar" onClick={session.signOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="content" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
