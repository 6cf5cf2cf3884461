/**
 * Every refusal of a filter names its field the same way: a BAD_REQUEST whose message names the field and the
 * value, and whose `details.issues` holds the field's path (`filter.ip`, `filter.actions[1]`, `filter.q`,
 * `filter.metadata`) as the time bounds' refusals always did. An action filter entry that can never match an
 * event under ingest's grammar is refused, not answered with zero events, and a metadata filter on `__proto__`
 * (a key ingest refuses) is refused rather than dropped into a filter matching every event. `events.list`,
 * `events.stats` and an export's creation refuse alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS } from '@custody/db/testing';

import { isAppError } from '../src/index';
import type { Custody, TEventFilter } from '../src/index';
import { EXPORT_REQUESTER, createTestCustody, event, exportRequest } from './helpers';

/** The longest action ingest accepts (100 characters), and the longest prefix that can match it. */
const LONGEST_ACTION = `${'a'.repeat(98)}.b`;
const LONGEST_PREFIX = `${'a'.repeat(98)}.*`;

/** A filter, and the path, code and start of the message its refusal must carry. */
const REFUSED: [TEventFilter, string, string, string][] = [
  [{ ip: '10.0.0.256' }, 'filter.ip', 'invalid_ipv4', 'ip: invalid IP address "10.0.0.256": '],
  [{ ip: 'not-an-ip' }, 'filter.ip', 'invalid_ipv4', 'ip: invalid IP address "not-an-ip": '],
  [{ ip: '10.0.0.5/24' }, 'filter.ip', 'host_bits_set', 'ip: invalid CIDR block "10.0.0.5/24": host bits are set; did you mean 10.0.0.0/24?'],
  [{ ip: '10.0.0.0/33' }, 'filter.ip', 'invalid_prefix', 'ip: invalid CIDR block "10.0.0.0/33": '],
  [{ q: 'a*' }, 'filter.q', 'too_short', 'q: search term "a*": a prefix needs at least 2 letters or digits'],
  // One letter in two UTF-16 units (Deseret): letters are counted as code points.
  [{ q: '\u{10428}*' }, 'filter.q', 'too_short', 'q: search term "\u{10428}*": a prefix needs at least 2 letters or digits before the *, and "\u{10428}" has 1'],
  [{ q: 'firefox 10.0.0.1/8' }, 'filter.q', 'invalid_cidr', 'q: search term "10.0.0.1/8" is not a valid CIDR block'],
  [{ actions: ['user.*.*'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix "user.*.*": a prefix is one or more whole segments then ".*"'],
  [{ actions: ['user.signed_in', '*'] }, 'filter.actions[1]', 'invalid_format', 'actions[1]: invalid action prefix "*": '],
  [{ actions: ['user*'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix "user*": '],
  [{ actions: ['user.**'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix "user.**": '],
  [{ actions: ['*.login'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix "*.login": '],
  [{ actions: ['.*'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix ".*": '],
  [{ actions: ['User.*'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action prefix "User.*": '],
  [{ actions: [`a${LONGEST_PREFIX}`] }, 'filter.actions[0]', 'too_long', `actions[0]: invalid action prefix "a${LONGEST_PREFIX}": actions are at most 100 characters`],
  [{ actions: ['User.Login'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action name "User.Login": action names are lowercase dot-separated segments'],
  [{ actions: ['user'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action name "user": '],
  [{ actions: ['user.'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action name "user.": '],
  [{ actions: ['user.signed-in'] }, 'filter.actions[0]', 'invalid_format', 'actions[0]: invalid action name "user.signed-in": '],
  [{ actions: [`a${LONGEST_ACTION}`] }, 'filter.actions[0]', 'too_long', `actions[0]: invalid action name "a${LONGEST_ACTION}": actions are at most 100 characters; got 101`],
  // As the API receives it: JSON.parse makes `__proto__` an own key.
  [{ metadata: JSON.parse('{"method":"password","__proto__":"x"}') as Record<string, string> }, 'filter.metadata', 'not_allowed', 'metadata: key "__proto__" is reserved'],
];

/** The AppError `call` rejects with, as the API would see it. */
async function refusalOf(call: () => Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await call();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: filter refusals`, () => {
    let custody: Custody;
    let destroy: () => Promise<void>;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custody-filter-refusals-'));
      ({ custody, destroy } = await createTestCustody(dialect, { exportDir: dir }));
      await custody.createOrganization({ id: 'acme', name: 'Acme' });
      const results = await custody.ingestor.ingest('acme', [
        event(),
        event({ action: 'user.sso.linked', occurred_at: '2026-03-01T11:00:00Z' }),
        event({ action: LONGEST_ACTION, occurred_at: '2026-03-01T12:00:00Z' }),
        event({ action: 'document.viewed', occurred_at: '2026-03-01T13:00:00Z', metadata: { constructor: 'x' } }),
        event({ action: 'document.viewed', occurred_at: '2026-03-01T14:00:00Z', metadata: { prototype: 'y', toString: 'z' } }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    });
    afterAll(async () => {
      await destroy();
      await rm(dir, { recursive: true, force: true });
    });

    describe('when a filter field can never be valid', () => {
      it.each(REFUSED)('%j is a BAD_REQUEST whose issue names %s', async (filter, path, code, message) => {
        for (const call of [() => custody.events.list('acme', filter), () => custody.events.stats('acme', filter)]) {
          const refused = await refusalOf(call);
          expect(refused.code).toBe('BAD_REQUEST');
          expect(refused.message.startsWith(message), refused.message).toBe(true);
          expect(refused.details).toEqual({ issues: [{ path, code, message: expect.any(String) as string }] });
          // The issue's message is the reason, without the field the path already names.
          const [issue] = (refused.details as { issues: { message: string }[] }).issues;
          expect(refused.message).toContain(issue?.message);
          expect(issue?.message.startsWith(path.slice('filter.'.length))).toBe(false);
        }
        expect(await refusalOf(() => custody.exports.create('acme', exportRequest(filter), EXPORT_REQUESTER))).toEqual(await refusalOf(() => custody.events.list('acme', filter)));
      });

      it('has no job queued for any of them', async () => {
        expect(await custody.exports.list('acme')).toEqual([]);
      });
    });

    describe('when an action filter entry can match an action', () => {
      it.each([
        [['user.*'], ['user.signed_in', 'user.sso.linked']],
        [['user.sso.*'], ['user.sso.linked']],
        [['user.signed_in', 'document.*'], ['user.signed_in', 'document.viewed', 'document.viewed']],
        [[LONGEST_ACTION], [LONGEST_ACTION]],
        [[LONGEST_PREFIX], [LONGEST_ACTION]],
        [['invoice.paid'], []],
        [[], ['user.signed_in', 'user.sso.linked', LONGEST_ACTION, 'document.viewed', 'document.viewed']],
      ])('%j lists its events', async (actions, listed) => {
        const page = await custody.events.list('acme', { actions }, { order: 'asc' });
        expect(page.events.map((e) => e.action)).toEqual(listed);
        expect((await custody.events.stats('acme', { actions })).total).toBe(listed.length);
      });
    });

    describe('when metadata keys name Object.prototype members', () => {
      it.each([
        [{ constructor: 'x' }, ['2026-03-01T13:00:00.000Z']],
        [{ prototype: 'y' }, ['2026-03-01T14:00:00.000Z']],
        [{ toString: 'z', prototype: 'y' }, ['2026-03-01T14:00:00.000Z']],
        [{ constructor: 'y' }, []],
      ])('%j matches the events holding that pair only', async (metadata, times) => {
        const page = await custody.events.list('acme', { metadata }, { order: 'asc' });
        expect(page.events.map((e) => e.occurred_at)).toEqual(times);
        expect((await custody.events.stats('acme', { metadata })).total).toBe(times.length);
      });

      it('pages with a cursor, and tells a cursor of another value from its own', async () => {
        const filter = { metadata: { method: 'password' } };
        const first = await custody.events.list('acme', filter, { order: 'asc', limit: 2 });
        expect(first.nextCursor).not.toBeNull();
        const rest = await custody.events.list('acme', filter, { cursor: first.nextCursor });
        expect([...first.events, ...rest.events].map((e) => e.occurred_at)).toHaveLength(3);
        const other = await refusalOf(() => custody.events.list('acme', { metadata: { constructor: 'x' } }, { cursor: first.nextCursor }));
        expect(other.message).toBe('this cursor belongs to a different filter');
      });
    });
  });
}
