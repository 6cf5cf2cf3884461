import { describe, expect, it } from 'vitest';

import { describeEventFilter } from './describe-event-filter';

describe('describeEventFilter', () => {
  describe('when there is no filter', () => {
    it.each([[null], [undefined], [{}]])('says all events for %j', (filter) => {
      expect(describeEventFilter(filter)).toBe('All events (no filter).');
    });
  });

  describe('when given the query API filter', () => {
    it('describes every criterion in plain words', () => {
      expect(
        describeEventFilter({
          actions: ['user.*', 'document.shared'],
          actorId: 'u_1',
          actorType: 'user',
          targetId: 'doc 1',
          targetType: 'document',
          occurredAfter: '2026-03-01T00:00:00.000Z',
          occurredBefore: '2026-04-01T00:00:00.000Z',
          ip: '10.0.0.0/8',
          metadata: { plan: 'pro', country: 'FR' },
          q: 'quarterly report',
          seqFrom: 100,
          seqTo: 200,
        }),
      ).toBe(
        'Events whose action starts with "user." or is "document.shared"; whose actor id is "u_1"; whose actor type is "user"; ' +
          'with a target whose id is "doc 1"; with a target of type "document"; that occurred at or after 2026-03-01T00:00:00.000Z ' +
          'and before 2026-04-01T00:00:00.000Z; whose IP address is within "10.0.0.0/8"; whose metadata "country" is "FR"; ' +
          'whose metadata "plan" is "pro"; containing every word of "quarterly report"; with log index (seq) from 100 to 199.',
      );
    });

    it('spells out prefixes and IP terms of a search where the search has them', () => {
      expect(describeEventFilter({ q: 'contr* 10.0.0.0/8' })).toBe(
        'Events containing every word of "contr* 10.0.0.0/8" (a word ending in * stands for every word that starts so; ' +
          'an IP address or CIDR block among them matches the IP address instead).',
      );
      expect(describeEventFilter({ q: 'alice@example.com' })).toBe('Events containing every word of "alice@example.com".');
    });

    it('handles one-sided bounds and a single IP', () => {
      expect(describeEventFilter({ occurredBefore: '2026-01-01T00:00:00.000Z', ip: '::1', seqFrom: 5 })).toBe(
        'Events that occurred before 2026-01-01T00:00:00.000Z; whose IP address is "::1"; with log index (seq) 5 or more.',
      );
    });
  });

  describe('when the filter holds unknown or mistyped members', () => {
    it('appends them as canonical JSON so nothing is left out', () => {
      expect(describeEventFilter({ actorId: 'u', severity: ['high'], actions: 'user.x' })).toBe(
        'Events whose actor id is "u"; and other criteria, as recorded: {"actions":"user.x","severity":["high"]}.',
      );
      expect(describeEventFilter({ z: 1 })).toBe('Events matching these criteria, as recorded: {"z":1}.');
      expect(describeEventFilter('raw text')).toBe('Filter, as recorded: "raw text".');
    });
  });
});
