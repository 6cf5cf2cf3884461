import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatDuration, formatTime, timeZoneLabel } from './format';

describe('formatTime', () => {
  describe('when the zone is UTC', () => {
    it('writes every field zero-padded at each precision', () => {
      const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
      expect(formatTime(ms, 'utc')).toBe('2026-01-02 03:04:05.006');
      expect(formatTime(ms, 'utc', 'second')).toBe('2026-01-02 03:04:05');
      expect(formatTime(ms, 'utc', 'minute')).toBe('2026-01-02 03:04');
      expect(formatTime(ms, 'utc', 'day')).toBe('2026-01-02');
    });
  });

  describe('when the zone is local', () => {
    it('agrees with the Date getters', () => {
      const ms = Date.UTC(2026, 6, 15, 12);
      const d = new Date(ms);
      expect(formatTime(ms, 'local', 'minute')).toBe(
        `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`,
      );
      expect(timeZoneLabel('local', ms)).toMatch(/^Local \(UTC([+−]\d\d:\d\d)?\)$/);
    });
  });
});

describe('number formatting', () => {
  it('groups counts, scales bytes and names durations', () => {
    expect(formatCount(2_000_000)).toBe('2,000,000');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(90_000)).toBe('90 s');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(86_400_000 * 7)).toBe('1 wk');
  });
});
