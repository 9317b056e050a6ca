import { describe, expect, it } from 'vitest';
import { formatSwedishDate, formatSwedishDateTime, parseDuration } from '#core/time.ts';

describe('time', () => {
  it('parses ISO-8601 durations', () => {
    expect(parseDuration('P14D')).toBe(14 * 86_400_000);
    expect(parseDuration('PT6H30M')).toBe(6.5 * 3_600_000);
    expect(parseDuration('P1W2DT3S')).toBe(9 * 86_400_000 + 3000);
    for (const bad of ['', 'P', 'PT', '14D', 'P-1D', 'P1Y']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('shows times in Europe/Stockholm, in Swedish, across daylight saving', () => {
    expect(formatSwedishDate(new Date('2026-03-28T23:30:00Z'))).toBe('29 mars 2026');
    expect(formatSwedishDateTime(new Date('2026-07-01T08:00:00Z'))).toBe('1 juli 2026 kl. 10:00');
    expect(formatSwedishDateTime(new Date('2026-12-01T08:00:00Z'))).toBe('1 december 2026 kl. 09:00');
  });
});
