import { describe, expect, it } from 'vitest';
import { count, joinSwedish, swedishDay, swedishDaySpan } from '#core/swedish.ts';

describe('Swedish words in sentences', () => {
  it('uses the singular for one and the plural otherwise, digits grouped', () => {
    expect(count(1, 'krock', 'krockar')).toBe('1 krock');
    expect(count(0, 'krock', 'krockar')).toBe('0 krockar');
    expect(count(2, 'dialog', 'dialoger')).toBe('2 dialoger');
    expect(count(1234, 'inspektion', 'inspektioner')).toBe('1\u00a0234 inspektioner');
  });

  it('writes calendar days and spans out, as written (no time zone shift)', () => {
    expect(swedishDay('2026-03-05')).toBe('5 mars 2026');
    expect(swedishDay('2026-12-31')).toBe('31 december 2026');
    expect(swedishDaySpan('2026-03-05', '2026-03-05')).toBe('5 mars 2026');
    expect(swedishDaySpan('2026-03-05', '2026-03-07')).toBe('5–7 mars 2026');
    expect(swedishDaySpan('2026-02-28', '2026-03-03')).toBe('28 februari – 3 mars 2026');
    expect(swedishDaySpan('2026-12-30', '2027-01-02')).toBe('30 december 2026 – 2 januari 2027');
  });

  it('joins names the Swedish way', () => {
    expect(joinSwedish([])).toBe('');
    expect(joinSwedish(['A'])).toBe('A');
    expect(joinSwedish(['A', 'B', 'C'])).toBe('A, B och C');
  });
});
