import { describe, expect, it } from 'vitest';
import { calendarForCounties, defaultWorkingCalendar, isWorkingDay } from '#core/calendar.ts';
import { counties } from '#core/regions.ts';
import { defaultSchoolHolidays, isoWeekMonday, sportlovWeeks } from '#core/school-holidays.ts';

describe('default school holidays', () => {
  it('has the usual weeks of 2026: sportlov by county, påsklov after Easter, sommarlov, höstlov, jullov', () => {
    const h = defaultSchoolHolidays(2026);
    expect(h.map((r) => [r.name, r.from, r.to])).toEqual([
      ['jullov', '2026-01-01', '2026-01-07'],
      ['sportlov vecka 7', '2026-02-09', '2026-02-13'],
      ['sportlov vecka 8', '2026-02-16', '2026-02-20'],
      ['sportlov vecka 9', '2026-02-23', '2026-02-27'],
      ['sportlov vecka 10', '2026-03-02', '2026-03-06'],
      ['påsklov', '2026-04-06', '2026-04-10'],
      ['sommarlov', '2026-06-15', '2026-08-14'],
      ['höstlov', '2026-10-26', '2026-10-30'],
      ['jullov', '2026-12-21', '2026-12-31'],
    ]);
    expect(h.find((r) => r.name === 'sportlov vecka 9')?.counties).toContain('01');
    expect(h.find((r) => r.name === 'sportlov vecka 7')?.counties).toEqual(['06', '14']);
  });

  it('gives every county exactly one sportlov week', () => {
    const sportlov = defaultSchoolHolidays(2027).filter((r) => r.name?.startsWith('sportlov'));
    for (const county of Object.keys(counties)) {
      expect(sportlov.filter((r) => r.counties?.includes(county))).toHaveLength(1);
    }
    expect(Object.keys(sportlovWeeks).sort()).toEqual(Object.keys(counties).sort());
  });

  it('finds ISO week Mondays across year boundaries', () => {
    expect(isoWeekMonday(2026, 1).toISOString().slice(0, 10)).toBe('2025-12-29');
    expect(isoWeekMonday(2027, 1).toISOString().slice(0, 10)).toBe('2027-01-04');
    expect(isoWeekMonday(2027, 44).toISOString().slice(0, 10)).toBe('2027-11-01');
  });

  it('applies a regional sportlov only to organisers of that county', () => {
    const cal = { ...defaultWorkingCalendar(), schoolHolidays: defaultSchoolHolidays(2026) };
    const stockholm = calendarForCounties(cal, ['01']);
    const skane = calendarForCounties(cal, ['12']);
    const nobody = calendarForCounties(cal, []);
    expect(isWorkingDay('2026-02-24', stockholm)).toBe(false); // week 9
    expect(isWorkingDay('2026-02-24', skane)).toBe(true);
    expect(isWorkingDay('2026-02-17', skane)).toBe(false); // week 8
    expect(isWorkingDay('2026-02-17', nobody)).toBe(true);
    expect(isWorkingDay('2026-10-27', nobody)).toBe(false); // höstlov, everyone
    // a meeting shared by organisers of two counties avoids both weeks
    const both = calendarForCounties(cal, ['01', '12']);
    expect(['2026-02-17', '2026-02-24'].map((d) => isWorkingDay(d, both))).toEqual([false, false]);
  });
});
