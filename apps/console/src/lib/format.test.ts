import { describe, expect, it } from 'vitest';

import { formatDuration, formatUtc, formatUtcInput, parseUtcInput, shorten } from './format';

describe('parseUtcInput', () => {
  it('reads dates, minutes, seconds and offsets, as UTC when no offset is given', () => {
    expect(parseUtcInput('2026-03-01')).toBe('2026-03-01T00:00:00Z');
    expect(parseUtcInput('2026-03-01 10:00')).toBe('2026-03-01T10:00:00Z');
    expect(parseUtcInput('2026-03-01T10:00:30')).toBe('2026-03-01T10:00:30Z');
    expect(parseUtcInput(' 2026-03-01 10:00:30.250Z ')).toBe('2026-03-01T10:00:30.250Z');
    expect(parseUtcInput('2026-03-01 12:00+02:00')).toBe('2026-03-01T10:00:00Z');
  });

  it('returns null for anything else', () => {
    for (const text of ['', 'yesterday', '2026-13-01', '2026-03-01 25:00', '03/01/2026', '2026-03-01T10']) expect(parseUtcInput(text)).toBeNull();
  });

  it('is inverted by formatUtcInput', () => {
    expect(formatUtcInput('2026-03-01T10:00:30Z')).toBe('2026-03-01 10:00:30');
    expect(formatUtcInput('2026-03-01T10:00:30.250Z')).toBe('2026-03-01 10:00:30.250');
    expect(formatUtcInput(null)).toBe('');
    expect(parseUtcInput(formatUtcInput('2026-03-01T10:00:30.250Z'))).toBe('2026-03-01T10:00:30.250Z');
  });
});

describe('display formats', () => {
  it('formats UTC times, durations and long hashes', () => {
    expect(formatUtc('2026-03-01T10:00:00.123Z')).toBe('2026-03-01 10:00:00.123');
    expect(formatUtc('2026-03-01T10:00:00.123Z', { ms: false })).toBe('2026-03-01 10:00:00');
    expect(formatUtc('not a date')).toBe('not a date');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(900_000)).toBe('15 min');
    expect(formatDuration(1500)).toBe('1500 ms');
    expect(shorten('abcdefghijklmnopqrstuvwxyz', 4, 3)).toBe('abcd…xyz');
    expect(shorten('short')).toBe('short');
  });
});
