import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';

import { launchBrowser, newContext, poll, screenshot, setRequestTimeouts, signIn, startConsoleServer, textOf } from './harness';
import type { TConsoleServer } from './harness';
import { ingestSeed, newestFirst, oldestFirst, seedEvents } from './seed';
import type { TSeeded } from './seed';

const ORG = 'acme';
const BASE = `/orgs/${ORG}/events`;

/** The words full-text search finds an event by (the server's `searchTextOf`, for expectations). */
function words(e: TSeeded): string[] {
  const parts = [e.action, e.actor.id, e.actor.type, e.actor.name, e.context.location, e.context.user_agent];
  for (const t of e.targets) parts.push(t.id, t.type, t.name ?? '');
  for (const [k, v] of Object.entries(e.metadata)) parts.push(k, String(v));
  return parts.join(' ').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function inCidr4(ip: string, base: string, bits: number): boolean {
  const toInt = (s: string) => s.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
}

describe('events screen', () => {
  let server: TConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let all: TSeeded[];

  const rowSeqs = () =>
    page.locator('[data-testid=events-table] tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.seq)));
  const expectRows = (seqs: number[]) => {
    // An empty table and a table not rendered yet look alike: assert the empty state instead.
    if (seqs.length === 0) throw new Error('expectRows([]) proves nothing; expect the empty state');
    return poll(rowSeqs).toEqual(seqs);
  };
  const chipIds = () => page.locator('[data-chip]').evaluateAll((chips) => chips.map((c) => (c as HTMLElement).dataset.chip));
  const openFilters = async () => {
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByTestId('filter-form').waitFor();
  };
  const applyFilters = () => page.getByRole('button', { name: 'Apply filters' }).click();

  beforeAll(async () => {
    server = await startConsoleServer();
    const admin = server.client(server.adminKey);
    await admin.organizations.create.mutate({ id: ORG, name: 'Acme Inc.' });
    all = await ingestSeed(admin, ORG);
    browser = await launchBrowser();
    context = await newContext(browser, server);
    page = await context.newPage();
    await signIn(page, server.adminKey);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('lands on the newest page of events with the total, a histogram and the top actions and actors', async () => {
    await poll(() => new URL(page.url()).pathname).toBe(BASE);
    await expectRows(newestFirst(all).slice(0, 50));
    expect(await textOf(page.getByTestId('total-count'))).toBe('120');
    const bars = page.locator('[data-testid=histogram] rect.bar');
    await poll(() => bars.count()).toBeGreaterThan(5);
    const counts = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(120);
    expect(await textOf(page.getByTestId('top-actions'))).toContain('user.signed_in');
    expect(await textOf(page.getByTestId('top-actors'))).toContain('svc_billing');
    const first = page.locator('[data-testid=events-table] tbody tr').first();
    const newest = all.find((e) => e.seq === newestFirst(all)[0]);
    expect(await first.innerText()).toContain(newest?.actor.name);
    expect(await first.innerText()).toContain(newest?.context.location);
    expect(await first.innerText()).toContain('2026-03-03 09:43:00.000');
    await screenshot(page, 'events');
  });

  it('narrows the table with full-text search and shows it as a chip in the URL', async () => {
    await page.goto(`${BASE}?limit=250`);
    await page.getByLabel('Full-text search').fill('merger');
    await page.getByLabel('Full-text search').press('Enter');
    const expected = all.filter((e) => words(e).includes('merger'));
    expect(expected.length).toBeGreaterThan(0);
    await expectRows(newestFirst(expected));
    await poll(chipIds).toEqual(['q']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('merger');
    // Every word must match.
    await page.getByLabel('Full-text search').fill('Merger SHARED');
    await page.getByLabel('Full-text search').press('Enter');
    const both = all.filter((e) => words(e).includes('merger') && words(e).includes('shared'));
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(expected.length);
    await expectRows(newestFirst(both));
  });

  it('shows the events without waiting for the statistics, and closes the statistics request of a replaced search', async () => {
    const held: Route[] = [];
    const closed: string[] = [];
    const onFailed = (request: Request) => {
      if (request.url().includes('/trpc/events.stats')) closed.push(decodeURIComponent(request.url()));
    };
    page.on('requestfailed', onFailed);
    // The server "takes forever" over the statistics: the requests are held here.
    await page.route('**/trpc/events.stats?**', (route) => {
      held.push(route);
    });
    try {
      await page.goto(`${BASE}?q=merger`);
      const expected = all.filter((e) => words(e).includes('merger'));
      await expectRows(newestFirst(expected));
      await poll(() => held.length).toBe(1);
      // A request of its own (not in a batch with the list), so closing it stops only the statistics.
      expect(new URL(held[0]?.request().url() ?? '').searchParams.get('batch')).toBeNull();
      expect(closed).toEqual([]);
      await page.getByLabel('Full-text search').fill('shared');
      await page.getByLabel('Full-text search').press('Enter');
      await poll(() => closed.length).toBe(1);
      expect(closed[0]).toContain('"q":"merger"');
      await poll(() => held.length).toBe(2);
      await page.unroute('**/trpc/events.stats?**'); // the held request goes on to the server
      const shared = all.filter((e) => words(e).includes('shared'));
      await poll(() => textOf(page.getByTestId('total-count'))).toBe(String(shared.length));
    } finally {
      page.off('requestfailed', onFailed);
      await page.unroute('**/trpc/events.stats?**');
    }
  });

  it('says the server is not responding when it stops answering, once, with a Retry that works when it answers again', async () => {
    await page.goto(BASE);
    await expectRows(newestFirst(all).slice(0, 50));
    await setRequestTimeouts(page, { queryTimeoutMs: 1000 });
    // A frozen server (SIGSTOP): the connection is accepted and nothing ever comes back.
    await page.route('**/trpc/**', () => undefined);
    try {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const banner = page.getByRole('region', { name: 'Events' }).getByTestId('error-banner');
      expect(await textOf(banner)).toContain('The server is not responding (no answer within 1 s)');
      expect(await banner.getAttribute('data-code')).toBe('TIMEOUT');
      // The statistics timed out alike: one banner, not one per card.
      await poll(() => page.getByTestId('error-banner').count()).toBe(1);
      await page.unroute('**/trpc/**');
      await banner.getByRole('button', { name: 'Retry' }).click();
      await expectRows(newestFirst(all).slice(0, 50));
      await poll(() => page.getByTestId('total-count').innerText()).toBe('120');
    } finally {
      await page.unroute('**/trpc/**');
      await setRequestTimeouts(page, null);
    }
  });

  it('closes the request of an event list no longer wanted: replaced by another search, or left for another page', async () => {
    const held: Route[] = [];
    const closed: string[] = [];
    const onFailed = (request: Request) => {
      const url = decodeURIComponent(request.url());
      // Only this test's searches: a load of the previous page may be cut short by the navigation.
      if (url.includes('/trpc/events.list') && url.includes('"q":')) closed.push(url);
    };
    await page.goto(BASE);
    await expectRows(newestFirst(all).slice(0, 50));
    // Far beyond the wait below: a request closed by its deadline must not pass for one closed as unwanted.
    await setRequestTimeouts(page, { queryTimeoutMs: 600_000 });
    page.on('requestfailed', onFailed);
    await page.route('**/trpc/events.list?**', (route) => {
      held.push(route);
    });
    try {
      await page.getByLabel('Full-text search').fill('merger');
      await page.getByLabel('Full-text search').press('Enter');
      await poll(() => held.length).toBe(1);
      await page.getByLabel('Full-text search').fill('shared');
      await page.getByLabel('Full-text search').press('Enter');
      await poll(() => closed.length).toBe(1);
      expect(closed[0]).toContain('"q":"merger"');
      await poll(() => held.length).toBe(2);
      await page.getByRole('link', { name: 'Verifiable log' }).click();
      await poll(() => closed.length).toBe(2);
      expect(closed[1]).toContain('"q":"shared"');
    } finally {
      page.off('requestfailed', onFailed);
      await page.unroute('**/trpc/events.list?**');
      await setRequestTimeouts(page, null);
    }
  });

  const cases: { name: string; fill: (p: Page) => Promise<void>; chips: string[]; expected: (e: TSeeded) => boolean }[] = [
    { name: 'an exact action', fill: (p) => p.getByLabel('Actions', { exact: true }).fill('user.signed_out'), chips: ['action:user.signed_out'], expected: (e) => e.action === 'user.signed_out' },
    { name: 'an action prefix', fill: (p) => p.getByLabel('Actions', { exact: true }).fill('document.*'), chips: ['action:document.*'], expected: (e) => e.action.startsWith('document.') },
    {
      name: 'two actions (any of them)',
      fill: (p) => p.getByLabel('Actions', { exact: true }).fill('user.signed_out, billing.invoice_paid'),
      chips: ['action:user.signed_out', 'action:billing.invoice_paid'],
      expected: (e) => e.action === 'user.signed_out' || e.action === 'billing.invoice_paid',
    },
    { name: 'an actor type', fill: (p) => p.getByLabel('Actor type').fill('service'), chips: ['actorType'], expected: (e) => e.actor.type === 'service' },
    { name: 'an actor id', fill: (p) => p.getByLabel('Actor ID').fill('u_bob'), chips: ['actorId'], expected: (e) => e.actor.id === 'u_bob' },
    { name: 'a target type', fill: (p) => p.getByLabel('Target type').fill('invoice'), chips: ['targetType'], expected: (e) => e.targets.some((t) => t.type === 'invoice') },
    { name: 'a target id', fill: (p) => p.getByLabel('Target ID').fill('doc_3'), chips: ['targetId'], expected: (e) => e.targets.some((t) => t.id === 'doc_3') },
    {
      name: 'a time range (UTC)',
      fill: async (p) => {
        await p.getByLabel('From (UTC, inclusive)').fill('2026-03-02 06:00');
        await p.getByLabel('Before (UTC, exclusive)').fill('2026-03-02 12:00');
      },
      chips: ['after', 'before'],
      expected: (e) => e.occurred_at >= '2026-03-02T06:00:00.000Z' && e.occurred_at < '2026-03-02T12:00:00.000Z',
    },
    { name: 'an IP address', fill: (p) => p.getByLabel('IP address or CIDR block').fill('198.51.100.23'), chips: ['ip'], expected: (e) => e.context.location === '198.51.100.23' },
    { name: 'an IPv4 CIDR block', fill: (p) => p.getByLabel('IP address or CIDR block').fill('10.0.0.0/8'), chips: ['ip'], expected: (e) => inCidr4(e.context.location, '10.0.0.0', 8) },
    { name: 'an IPv6 CIDR block', fill: (p) => p.getByLabel('IP address or CIDR block').fill('2001:db8::/32'), chips: ['ip'], expected: (e) => e.context.location.startsWith('2001:db8:') },
    {
      name: 'a metadata value',
      fill: async (p) => {
        await p.getByLabel('Metadata key 1').fill('method');
        await p.getByLabel('Metadata value 1').fill('sso');
      },
      chips: ['meta:method'],
      expected: (e) => e.metadata.method === 'sso',
    },
    {
      name: 'several filters at once (all must match)',
      fill: async (p) => {
        await p.getByLabel('Actions', { exact: true }).fill('user.*');
        await p.getByLabel('Actor ID').fill('u_alice');
        await p.getByLabel('From (UTC, inclusive)').fill('2026-03-02 12:00');
      },
      chips: ['action:user.*', 'actorId', 'after'],
      expected: (e) => e.action.startsWith('user.') && e.actor.id === 'u_alice' && e.occurred_at >= '2026-03-02T12:00:00.000Z',
    },
  ];

  for (const c of cases) {
    it(`filters by ${c.name}`, async () => {
      await page.goto(`${BASE}?limit=250`);
      await expectRows(newestFirst(all));
      await openFilters();
      await c.fill(page);
      await applyFilters();
      const expected = all.filter(c.expected);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length);
      await expectRows(newestFirst(expected));
      await poll(chipIds).toEqual(c.chips);
      expect(await textOf(page.getByTestId('total-count'))).toBe(String(expected.length));
    });
  }

  it('keeps filters in the URL, so a bookmarked view opens as it was', async () => {
    await page.goto(`${BASE}?action=user.*&actor_id=u_alice&ip=203.0.113.0/24&order=asc&limit=250`);
    const expected = all.filter((e) => e.action.startsWith('user.') && e.actor.id === 'u_alice' && e.context.location === '203.0.113.10');
    expect(expected.length).toBeGreaterThan(0);
    await expectRows(oldestFirst(expected));
    await poll(chipIds).toEqual(['action:user.*', 'actorId', 'ip']);
    expect(await page.getByLabel('Sort order').inputValue()).toBe('asc');
    expect(await page.getByLabel('Page size').inputValue()).toBe('250');
  });

  it('removes a filter when its chip is closed, and all of them with "Clear all"', async () => {
    await page.goto(`${BASE}?action=user.*&actor_id=u_alice&limit=250`);
    await expectRows(newestFirst(all.filter((e) => e.action.startsWith('user.') && e.actor.id === 'u_alice')));
    await page.getByRole('button', { name: 'Remove filter Actor u_alice' }).click();
    await expectRows(newestFirst(all.filter((e) => e.action.startsWith('user.'))));
    await poll(chipIds).toEqual(['action:user.*']);
    expect(new URL(page.url()).searchParams.has('actor_id')).toBe(false);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expectRows(newestFirst(all));
    await poll(chipIds).toEqual([]);
    // Back restores the previous view (filters are history entries).
    await page.goBack();
    await expectRows(newestFirst(all.filter((e) => e.action.startsWith('user.'))));
  });

  it('flips the sort order from the column header and from the order menu', async () => {
    await page.goto(`${BASE}?limit=250`);
    await expectRows(newestFirst(all));
    await page.getByTestId('sort-time').click();
    await expectRows(oldestFirst(all));
    expect(new URL(page.url()).searchParams.get('order')).toBe('asc');
    await page.getByLabel('Sort order').selectOption('desc');
    await expectRows(newestFirst(all));
  });

  it('appends the next page with "Load more" (keyset cursor), without duplicates, until the end', async () => {
    await page.goto(BASE);
    const order = newestFirst(all);
    await expectRows(order.slice(0, 50));
    expect(await textOf(page.getByTestId('shown-count'))).toBe('Showing 50 of 120');
    await page.getByRole('button', { name: 'Load 50 more' }).click();
    await expectRows(order.slice(0, 100));
    await page.getByRole('button', { name: 'Load 50 more' }).click();
    await expectRows(order);
    const seqs = await rowSeqs();
    expect(new Set(seqs).size).toBe(seqs.length);
    await textOf(page.getByTestId('end-of-list'));
    expect(await page.getByRole('button', { name: 'Load 50 more' }).count()).toBe(0);
    // Page size from the menu; the oldest-first order pages the same way.
    await page.getByLabel('Page size').selectOption('25');
    await page.getByLabel('Sort order').selectOption('asc');
    await expectRows(oldestFirst(all).slice(0, 25));
    await page.getByRole('button', { name: 'Load 25 more' }).click();
    await expectRows(oldestFirst(all).slice(0, 50));
  });

  it('adds a filter from the top actions and top actors', async () => {
    await page.goto(`${BASE}?limit=250`);
    await page.getByTestId('top-actions').locator('[data-value="billing.invoice_paid"]').click();
    await expectRows(newestFirst(all.filter((e) => e.action === 'billing.invoice_paid')));
    await page.goto(`${BASE}?limit=250`);
    await page.getByTestId('top-actors').locator('[data-value="user:u_carol"]').click();
    await expectRows(newestFirst(all.filter((e) => e.actor.id === 'u_carol' && e.actor.type === 'user')));
    await poll(chipIds).toEqual(['actorType', 'actorId']);
  });

  it('zooms into a histogram bucket when its bar is clicked', async () => {
    await page.goto(`${BASE}?limit=250`);
    const bar = page.locator('[data-testid=histogram] rect.bar').first();
    await bar.waitFor();
    const count = Number(await bar.getAttribute('data-count'));
    const start = (await bar.getAttribute('data-start')) ?? '';
    const bucketMs = Number(await page.getByTestId('histogram').getAttribute('data-bucket-ms'));
    await bar.click();
    await poll(chipIds).toEqual(['after', 'before']);
    await poll(() => page.getByTestId('total-count').innerText()).toBe(String(count));
    expect(new URL(page.url()).searchParams.get('after')).toBe(start);
    const end = new Date(Date.parse(start) + bucketMs).toISOString();
    await expectRows(newestFirst(all.filter((e) => e.occurred_at >= start && e.occurred_at < end)));
  });

  it('says so when nothing matches, and shows the server error for an invalid filter', async () => {
    await page.goto(`${BASE}?q=nothingmatchesthis`);
    await textOf(page.getByText('No events match these filters'));
    await page.getByRole('button', { name: 'Clear all filters' }).click();
    await expectRows(newestFirst(all).slice(0, 50));
    // A link with a filter the server refuses: one banner (not one for the list and one for the histogram), the
    // field named as the form names it, and no Retry, which could only fail again.
    await page.goto(`${BASE}?ip=300.1.2.3`);
    const banner = page.getByTestId('error-banner');
    expect(await textOf(banner)).toContain('The server refused this filter');
    expect(await banner.innerText()).toContain('IP address or CIDR block: invalid IP address "300.1.2.3"');
    expect(await banner.getAttribute('data-code')).toBe('BAD_REQUEST');
    await poll(() => page.getByText('Counting events…').count()).toBe(0);
    expect(await banner.count()).toBe(1);
    expect(await banner.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await banner.getByRole('button', { name: 'Edit filters' }).click();
    expect(await page.getByLabel('IP address or CIDR block').inputValue()).toBe('300.1.2.3');
  });

  it('checks the IP address or CIDR block in the filter form before sending it', async () => {
    await page.goto(`${BASE}?limit=250`);
    await expectRows(newestFirst(all));
    const sent: string[] = [];
    const onRequest = (request: Request) => {
      if (request.url().includes('/trpc/')) sent.push(decodeURIComponent(request.url()));
    };
    page.on('request', onRequest);
    try {
      await openFilters();
      for (const bad of ['999.1.1.1', '10.0.0.5/24']) {
        await page.getByLabel('IP address or CIDR block').fill(bad);
        await applyFilters();
        const error = page.getByTestId('filter-form').locator('.field-help-error');
        await poll(() => error.innerText()).toContain(`"${bad}" is not an IP address or CIDR block`);
      }
      expect(await page.getByTestId('filter-form').locator('.field-help-error').innerText()).toContain('did you mean 10.0.0.0/24?');
      expect(await page.getByLabel('IP address or CIDR block').getAttribute('aria-invalid')).toBe('true');
      expect(new URL(page.url()).searchParams.has('ip')).toBe(false);
      expect(sent).toEqual([]);
      await page.getByLabel('IP address or CIDR block').fill('2001:db8::/32');
      await applyFilters();
      await expectRows(newestFirst(all.filter((e) => e.context.location.startsWith('2001:db8:'))));
    } finally {
      page.off('request', onRequest);
    }
  });

  it('shows a row in the detail panel and verifies its inclusion in the browser', async () => {
    await page.goto(`${BASE}?action=document.shared&limit=250`);
    const target = all.filter((e) => e.action === 'document.shared').at(-2);
    if (target === undefined) throw new Error('seed has too few document.shared events');
    await page.locator(`[data-testid=events-table] tr[data-seq="${target.seq}"]`).click();
    const panel = page.getByTestId('event-detail');
    expect(await textOf(panel.getByTestId('detail-seq'))).toBe(String(target.seq));
    expect(await textOf(panel.getByTestId('detail-id'))).toBe(target.id);
    expect(new URL(page.url()).searchParams.get('event')).toBe(target.id);
    const json = JSON.parse(await textOf(panel.getByTestId('detail-json'))) as { action: string; seq: number; targets: unknown[] };
    expect(json).toMatchObject({ action: 'document.shared', seq: target.seq, id: target.id, targets: target.targets, metadata: target.metadata });
    // The leaf hash computed in the browser is the one the server stored.
    const entry = await server.client(server.adminKey).log.entry.query({ organizationId: ORG, seq: target.seq });
    expect(await textOf(panel.getByTestId('detail-leaf-hash'))).toBe(entry.leafHash);

    await panel.getByRole('button', { name: 'Verify inclusion' }).click();
    const result = panel.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    const keys = await server.client(server.adminKey).log.keys.query();
    const key = keys.keys[0];
    expect(await result.innerText()).toContain(`Verified: included in checkpoint of size 120 signed by custody.localhost (fingerprint ${key?.fingerprint ?? '?'})`);
    await screenshot(page, 'event-detail');

    // Escape closes the panel and the selection leaves the URL.
    await page.keyboard.press('Escape');
    await poll(() => panel.count()).toBe(0);
    expect(new URL(page.url()).searchParams.has('event')).toBe(false);
  });

  it('moves focus into the detail panel when a row is opened from the keyboard, and back to the row when it closes', async () => {
    await page.goto(`${BASE}?limit=250`);
    await expectRows(newestFirst(all));
    const target = all[20];
    if (target === undefined) throw new Error('seed too small');
    const row = page.locator(`[data-testid=events-table] tr[data-seq="${target.seq}"]`);
    const focusInPanel = () => page.evaluate(() => document.activeElement?.closest('[data-testid=event-detail]') !== null);
    const focusedSeq = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.seq ?? null);
    const panel = page.getByTestId('event-detail');

    await row.focus();
    await page.keyboard.press('Enter');
    expect(await textOf(panel.getByTestId('detail-seq'))).toBe(String(target.seq));
    await poll(focusInPanel).toBe(true);
    // The next Tab stop is in the panel too, not the next of a hundred rows.
    await page.keyboard.press('Tab');
    expect(await focusInPanel()).toBe(true);
    await page.keyboard.press('Escape');
    await poll(() => panel.count()).toBe(0);
    await poll(focusedSeq).toBe(String(target.seq));

    // The same with the close button, from the keyboard.
    await page.keyboard.press('Enter');
    await poll(focusInPanel).toBe(true);
    await panel.getByRole('button', { name: 'Close details' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => panel.count()).toBe(0);
    await poll(focusedSeq).toBe(String(target.seq));
  });

  const tamperings: { name: string; code: string; tamper: (data: Record<string, unknown>) => void }[] = [
    {
      name: 'a flipped byte in the proof',
      code: 'INCLUSION_PROOF_MISMATCH',
      tamper: (data) => {
        const proof = data.proof as string[];
        const bytes = Buffer.from(proof[0] ?? '', 'base64');
        bytes[5] = (bytes[5] ?? 0) ^ 0x01;
        proof[0] = bytes.toString('base64');
      },
    },
    {
      name: 'a different leaf hash',
      code: 'LEAF_MISMATCH',
      tamper: (data) => {
        const bytes = Buffer.from(data.leafHash as string, 'base64');
        bytes[0] = (bytes[0] ?? 0) ^ 0x80;
        data.leafHash = bytes.toString('base64');
      },
    },
    {
      name: 'an altered checkpoint note',
      code: 'BAD_SIGNATURE',
      tamper: (data) => {
        const checkpoint = data.checkpoint as { note: string };
        checkpoint.note = checkpoint.note.replace(/^(.*\n)(\d+)\n/, (_m, origin: string, size: string) => `${origin}${Number(size) + 1}\n`);
      },
    },
  ];

  for (const t of tamperings) {
    it(`reports ${t.name} as a verification failure, never "Verified"`, async () => {
      const victim = all[42];
      if (victim === undefined) throw new Error('seed too small');
      const tab = await context.newPage();
      await tab.route('**/trpc/**', async (route) => {
        if (!route.request().url().includes('log.inclusionProof')) return route.fallback();
        const response = await route.fetch();
        const body = (await response.json()) as { result?: { data?: Record<string, unknown> } }[];
        for (const item of body) {
          const data = item.result?.data;
          if (data !== undefined && 'proof' in data) t.tamper(data);
        }
        await route.fulfill({ response, json: body });
      });
      // sessionStorage is per tab: this tab signs in, then opens the event by its shared link.
      await signIn(tab, server.adminKey, { path: `${BASE}?event=${victim.id}` });
      const panel = tab.getByTestId('event-detail');
      expect(await textOf(panel.getByTestId('detail-seq'))).toBe(String(victim.seq));
      await panel.getByRole('button', { name: 'Verify inclusion' }).click();
      const result = panel.getByTestId('verify-result');
      await result.waitFor();
      expect(await result.getAttribute('data-ok')).toBe('false');
      const text = await result.innerText();
      expect(text).toContain(`Verification failed: ${t.code}`);
      expect(text).not.toContain('Verified');
      if (t.code === 'INCLUSION_PROOF_MISMATCH') await screenshot(tab, 'event-tampered');
      await tab.close();
    });
  }

  it('opens a shared link to an event that is not on the first page', async () => {
    const oldest = all[0];
    if (oldest === undefined) throw new Error('seed is empty');
    await page.goto(`${BASE}?event=${oldest.id}`);
    await expectRows(newestFirst(all).slice(0, 50));
    const panel = page.getByTestId('event-detail');
    expect(await textOf(panel.getByTestId('detail-id'))).toBe(oldest.id);
    await panel.getByRole('button', { name: `Actor ${oldest.actor.type}:${oldest.actor.id}` }).click();
    await poll(chipIds).toEqual(['actorType', 'actorId']);
    await expectRows(newestFirst(all.filter((e) => e.actor.id === oldest.actor.id)).slice(0, 50));
  });

  it('shows the filter form with the active filters as chips', async () => {
    await page.goto(`${BASE}?action=document.*&actor_type=user&ip=198.51.100.0/24&meta=permission:view&after=2026-03-02T12:00:00Z`);
    const expected = all.filter(
      (e) => e.action.startsWith('document.') && e.actor.type === 'user' && e.context.location.startsWith('198.51.100.') && e.metadata.permission === 'view' && e.occurred_at >= '2026-03-02T12:00',
    );
    expect(expected.length).toBeGreaterThan(0);
    await expectRows(newestFirst(expected));
    await openFilters();
    expect(await page.getByLabel('Actions', { exact: true }).inputValue()).toBe('document.*');
    expect(await page.getByLabel('Metadata value 1').inputValue()).toBe('view');
    expect(await page.getByLabel('From (UTC, inclusive)').inputValue()).toBe('2026-03-02 12:00:00');
    await screenshot(page, 'events-filters');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  // Last: it logs more events.
  it('brings the event count in the sidebar up to date when the events are refreshed', async () => {
    await page.goto(BASE);
    await expectRows(newestFirst(all).slice(0, 50));
    const count = page.getByTestId('sidebar-event-count');
    expect(await textOf(count)).toBe('120 events');
    await server.client(server.adminKey).events.createBatch.mutate({ organizationId: ORG, events: seedEvents(5) });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await poll(() => page.getByTestId('total-count').innerText()).toBe('125');
    await poll(() => count.innerText()).toBe('125 events');
  });

  // Last: it logs an event with long values.
  it('keeps actions, actors and IP addresses readable at 1280 px, with the whole text in a tooltip wherever a cell is cut', async () => {
    const long = {
      action: 'billing.subscription.cancelled',
      occurred_at: '2026-03-05T00:00:00.000Z',
      actor: { id: 'u_0123456789_abcdefghij_klmnop', type: 'user', name: 'Maximiliane Oberhuber-Schwarzenegger' },
      targets: [{ id: 'sub_0123456789_abcdefghij', type: 'subscription' }],
      context: { location: '2001:db8:85a3:1234:5678:8a2e:370:7334', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' },
    };
    await server.client(server.adminKey).events.createBatch.mutate({ organizationId: ORG, events: [long] });
    /** Cells that may be cut: their text, whether it is cut, and the tooltip over them. */
    const cells = () =>
      page.locator('[data-testid=events-table]').evaluate((table) =>
        [...table.querySelectorAll('tbody tr')].flatMap((row) =>
          [...row.querySelectorAll<HTMLElement>('.action-name, .cell-main, .cell-sub, .target, td.col-ip, td.col-time')].map((cell) => ({
            row: Number((row as HTMLElement).dataset.seq),
            action: cell.classList.contains('action-name'),
            text: cell.textContent,
            cut: cell.scrollWidth > cell.clientWidth,
            title: cell.closest('[title]')?.getAttribute('title') ?? null,
          })),
        ),
      );
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.goto(BASE);
      const first = page.locator('[data-testid=events-table] tbody tr').first();
      await poll(() => first.locator('.action-name').getAttribute('title')).toBe(long.action);
      const seq = Number(await first.getAttribute('data-seq'));
      const full = await cells();
      // The seeded events fit whole; the long one is cut only where a tooltip holds the rest, and its action breaks
      // after its dots rather than being cut.
      expect(full.filter((c) => c.cut && c.row !== seq)).toEqual([]);
      for (const c of full.filter((x) => x.cut)) expect(c.title).toContain(c.text);
      expect(full.filter((c) => c.cut).map((c) => c.text)).toContain(long.context.location);
      expect(full.find((c) => c.row === seq && c.action)).toMatchObject({ text: long.action, cut: false });
      // The user agent gets a column of its own, not 30 pixels; the table fits its card.
      const ua = await page.locator('[data-testid=events-table] thead th').last().boundingBox();
      expect(ua?.width).toBeGreaterThanOrEqual(120);
      expect(await page.locator('.table-wrap').first().evaluate((w) => w.scrollWidth <= w.clientWidth)).toBe(true);

      // With the detail panel open, the compact table still shows every action whole.
      await first.click();
      await page.getByTestId('event-detail').waitFor();
      await poll(() => page.locator('[data-testid=events-table] thead th').count()).toBe(3);
      const compact = await cells();
      expect(compact.filter((c) => c.action && c.cut)).toEqual([]);
      for (const c of compact.filter((x) => x.cut)) expect(c.title).toContain(c.text);
      await page.keyboard.press('Escape');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
