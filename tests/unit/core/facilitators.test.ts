import { describe, expect, it } from 'vitest';
import { Availability, blockInputSchema, bookingLoad, type Facilitator, orderedPairs, validatePair } from '#core/facilitators.ts';

const f = (id: string, agency: 'skolverket' | 'spsm', office = 'Solna', active = true): Facilitator => ({
  id,
  name: id,
  agency,
  office,
  email: `${id}@example.se`,
  active,
});
const all = [
  f('sv-a', 'skolverket'),
  f('sv-b', 'skolverket', 'Luleå'),
  f('sv-c', 'skolverket', 'Solna', false),
  f('sp-a', 'spsm'),
  f('sp-b', 'spsm', 'Luleå'),
];
const at = (h: number) => new Date(Date.UTC(2026, 2, 10, h));

describe('facilitator pairs', () => {
  it('accepts one active facilitator of each agency, and says what is wrong otherwise', () => {
    expect(validatePair({ skolverket: 'sv-a', spsm: 'sp-a' }, all)).toBeUndefined();
    expect(validatePair({ skolverket: 'sv-a', spsm: 'sv-b' }, all)).toBe("facilitator 'sv-b' is not from SPSM");
    expect(validatePair({ skolverket: 'sp-a', spsm: 'sp-b' }, all)).toBe("facilitator 'sp-a' is not from Skolverket");
    expect(validatePair({ skolverket: 'sv-c', spsm: 'sp-a' }, all)).toBe("facilitator 'sv-c' is not active");
    expect(validatePair({ skolverket: 'sv-x', spsm: 'sp-a' }, all)).toBe("facilitator 'sv-x' does not exist");
  });

  it('orders pairs: previous first, then near office, then least loaded; never an inactive one', () => {
    const busy = [
      { facilitatorId: 'sv-a', source: 'booking' as const, ref: 'm1', start: at(8), end: at(9) },
      { facilitatorId: 'sv-a', source: 'booking' as const, ref: 'm1', start: at(10), end: at(11) },
      { facilitatorId: 'sv-a', source: 'booking' as const, ref: 'm2', start: at(12), end: at(13) },
      { facilitatorId: 'sp-b', source: 'block' as const, start: at(8), end: at(17) },
    ];
    expect(bookingLoad(busy)).toEqual(new Map([['sv-a', 2]]));
    const key = (ps: { skolverket: string; spsm: string }[]) => ps.map((p) => `${p.skolverket}+${p.spsm}`);
    expect(key(orderedPairs(all, busy))).toEqual(['sv-b+sp-a', 'sv-b+sp-b', 'sv-a+sp-a', 'sv-a+sp-b']);
    expect(key(orderedPairs(all, busy, { nearOffice: 'Solna' }))[0]).toBe('sv-a+sp-a');
    expect(key(orderedPairs(all, busy, { previous: { skolverket: 'sv-a', spsm: 'sp-b' }, nearOffice: 'Solna' }))[0]).toBe('sv-a+sp-b');
  });

  it('finds a pair free only when both are free for every interval', () => {
    const a = new Availability([{ facilitatorId: 'sp-b', source: 'block', start: at(8), end: at(12) }]);
    expect(a.isPairFree({ skolverket: 'sv-a', spsm: 'sp-b' }, [{ start: at(12), end: at(13) }])).toBe(true);
    expect(
      a.isPairFree({ skolverket: 'sv-a', spsm: 'sp-b' }, [
        { start: at(12), end: at(13) },
        { start: at(11), end: at(12) },
      ]),
    ).toBe(false);
  });

  it('validates blocks: ISO times with offset, end after start, at most a year', () => {
    expect(
      blockInputSchema.safeParse({ start: '2026-03-10T08:00:00+01:00', end: '2026-03-10T12:00:00+01:00', reason: 'Resa' }).success,
    ).toBe(true);
    expect(
      blockInputSchema.safeParse({ start: '2026-03-10T12:00:00+01:00', end: '2026-03-10T08:00:00+01:00' }).error?.issues[0]?.message,
    ).toBe('a block must end after it starts');
    expect(blockInputSchema.safeParse({ start: '2026-03-10T08:00:00+01:00', end: '2027-04-10T08:00:00+01:00' }).success).toBe(false);
    expect(blockInputSchema.safeParse({ start: '2026-03-10', end: '2026-03-11' }).success).toBe(false);
  });
});
