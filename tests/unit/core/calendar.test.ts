import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  defaultWorkingCalendar,
  isWeekend,
  isSwedishHoliday,
  swedishHolidays,
  isWorkingDay,
  nonWorkingReason,
  stockholmDate,
  stockholmInstant,
  stockholmTime,
  workingCalendarSchema,
} from '#core/calendar.ts';

describe('working calendar', () => {
  const cal = workingCalendarSchema.parse({ schoolHolidays: [{ from: '2026-02-23', to: '2026-02-27', name: 'sportlov' }] });

  it('knows the Swedish public holidays and the de facto eves', () => {
    for (const d of [
      '2026-01-01',
      '2026-01-06',
      '2026-04-03',
      '2026-04-06',
      '2026-05-01',
      '2026-05-14',
      '2026-06-06',
      '2026-06-19',
      '2026-12-24',
      '2026-12-25',
      '2026-12-31',
    ]) {
      expect(isSwedishHoliday(d), d).toBe(true);
    }
    expect(isSwedishHoliday('2026-03-10')).toBe(false);
  });

  it('has exactly the non-working days of date-holidays (SE, public + bank) from 2005 to 2075', () => {
    // Prepare: the maintained library as the oracle (a dev dependency; too big for the Lambdas)
    const oracle = new Holidays('SE');
    for (let year = 2005; year <= 2075; year++) {
      const expected = new Map<string, string[]>();
      for (const h of oracle.getHolidays(year)) {
        if (h.type !== 'public' && h.type !== 'bank') continue;
        const date = h.date.slice(0, 10);
        expected.set(date, [...(expected.get(date) ?? []), h.name]);
      }

      // Act
      const actual = swedishHolidays(year);

      // Assess: the same days; a day two holidays share (Kristi himmelsfärd on 1 May 2008) has one of their names
      expect([...actual.keys()], String(year)).toEqual([...expected.keys()]);
      for (const [date, name] of actual) expect(expected.get(date), date).toContain(name);
    }
  });

  it('says why a date is not a working day', () => {
    expect(nonWorkingReason('2026-06-19', cal)).toBe('midsommarafton');
    expect(nonWorkingReason('2026-03-07', cal)).toBe('helg');
    expect(nonWorkingReason('2026-02-25', cal)).toBe('sportlov');
    expect(nonWorkingReason('2026-03-10', cal)).toBeUndefined();
    expect(isWorkingDay('2026-03-10', cal)).toBe(true);
  });

  it('keeps wall-clock times in Stockholm across both DST changes', () => {
    // Prepare: the Fridays before and the Mondays after the changes of 29 March and 25 October 2026
    const cases = [
      ['2026-03-27', '07:30:00.000Z'],
      ['2026-03-30', '06:30:00.000Z'],
      ['2026-10-23', '06:30:00.000Z'],
      ['2026-10-26', '07:30:00.000Z'],
    ] as const;
    for (const [date, utc] of cases) {
      // Act
      const at = stockholmInstant(date, '08:30');
      // Assess
      expect(at.toISOString()).toBe(`${date}T${utc}`);
      expect(stockholmDate(at)).toBe(date);
      expect(stockholmTime(at)).toBe('08:30');
    }
  });

  // luxon (a test-only dependency, with its own zone arithmetic) is the oracle for the conversions
  // the handlers do with dayjs and Intl.
  const instants = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
  const dates = fc.integer({ min: 0, max: 36_524 }).map((n) => new Date(Date.UTC(2000, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
  const times = fc
    .integer({ min: 0, max: 24 * 60 - 1 })
    .map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

  it('reads instants as Stockholm dates and times as an independent zone library does (2000–2100)', () => {
    fc.assert(
      fc.property(instants, (at) => {
        const oracle = DateTime.fromJSDate(at, { zone: 'Europe/Stockholm' });
        expect(stockholmDate(at)).toBe(oracle.toISODate());
        expect(stockholmTime(at)).toBe(oracle.toFormat('HH:mm'));
      }),
      { numRuns: 2000 },
    );
  });

  it('places Stockholm wall-clock times, DST gaps included, as an independent zone library does', () => {
    // The last Sundays of March and October (the changes) are drawn often on purpose.
    const changeDays = fc.integer({ min: 2000, max: 2099 }).chain((y) =>
      fc.constantFrom(`${y}-03-`, `${y}-10-`).map((ym) => {
        const last = DateTime.fromISO(`${ym}31`, { zone: 'utc' });
        return last.minus({ days: last.weekday % 7 }).toISODate() as string;
      }),
    );
    fc.assert(
      fc.property(fc.oneof(dates, changeDays), times, (date, time) => {
        const oracle = DateTime.fromISO(`${date}T${time}`, { zone: 'Europe/Stockholm' });
        expect(stockholmInstant(date, time).toISOString()).toBe(oracle.toUTC().toISO());
      }),
      { numRuns: 2000 },
    );
  });

  it('does calendar-date arithmetic without a zone (weekends, adding days)', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -400, max: 400 }), (date, days) => {
        const oracle = DateTime.fromISO(date, { zone: 'utc' });
        expect(isWeekend(date)).toBe(oracle.weekday >= 6);
        expect(addCalendarDays(date, days)).toBe(oracle.plus({ days }).toISODate());
      }),
    );
    expect(() => stockholmInstant('2026-02-30', '10:00')).toThrow(/not a Stockholm time/);
    expect(() => stockholmInstant('2026-03-02', '24:00')).toThrow(/not a Stockholm time/);
  });

  it('rejects school holidays that end before they start and unknown fields', () => {
    expect(workingCalendarSchema.safeParse({ schoolHolidays: [{ from: '2026-03-02', to: '2026-03-01' }] }).success).toBe(false);
    expect(workingCalendarSchema.safeParse({ weekendsOff: true }).success).toBe(false);
    expect(defaultWorkingCalendar().officeHours).toEqual({ start: '08:30', end: '16:30' });
  });
});
