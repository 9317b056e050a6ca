/**
 * Sweden's school holiday weeks as the default working calendar's holidays: sportlov (weeks 7–10,
 * by county), påsklov (the week after Easter), sommarlov (weeks 25–33), höstlov (week 44) and
 * jullov (21 December – 7 January). Municipalities set their own dates; these are the usual
 * weeks, and a coordinator changes them per year in the console. A range with `counties` applies
 * only to organisers in those counties (sportlov); one without applies to everyone.
 */
import { easter } from 'date-easter';
import type { DateRange } from './calendar.ts';
import { type CountyCode, counties, regions } from './regions.ts';

/** The sportlov week of each county (most of its municipalities). */
export const sportlovWeeks: Readonly<Record<CountyCode, 7 | 8 | 9 | 10>> = {
  '01': 9,
  '03': 8,
  '04': 8,
  '05': 8,
  '06': 7,
  '07': 8,
  '08': 8,
  '09': 9,
  '10': 8,
  '12': 8,
  '13': 8,
  '14': 7,
  '17': 9,
  '18': 8,
  '19': 9,
  '20': 9,
  '21': 9,
  '22': 10,
  '23': 10,
  '24': 10,
  '25': 10,
};

const day = (d: Date): string => d.toISOString().slice(0, 10);
const plus = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);

/** Monday of ISO week `week` of `year` (week 1 holds 4 January). */
export function isoWeekMonday(year: number, week: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = plus(jan4, -((jan4.getUTCDay() || 7) - 1));
  return plus(monday1, (week - 1) * 7);
}

const week = (year: number, n: number, name: string, only?: CountyCode[]): DateRange & { counties?: string[] } => {
  const monday = isoWeekMonday(year, n);
  return { from: day(monday), to: day(plus(monday, 4)), name, ...(only ? { counties: only } : {}) };
};

/** The default school holidays of one calendar year, in date order. */
export function defaultSchoolHolidays(year: number): (DateRange & { counties?: string[] })[] {
  const e = easter(year);
  const easterMonday = plus(new Date(Date.UTC(year, e.month - 1, e.day)), 1);
  const sportlov = ([7, 8, 9, 10] as const).map((n) =>
    week(year, n, `sportlov vecka ${n}`, (Object.keys(sportlovWeeks) as CountyCode[]).filter((c) => sportlovWeeks[c] === n).sort()),
  );
  return [
    { from: `${year}-01-01`, to: `${year}-01-07`, name: 'jullov' },
    ...sportlov,
    { from: day(easterMonday), to: day(plus(easterMonday, 4)), name: 'påsklov' },
    { from: day(isoWeekMonday(year, 25)), to: day(plus(isoWeekMonday(year, 33), 4)), name: 'sommarlov' },
    week(year, 44, 'höstlov'),
    { from: `${year}-12-21`, to: `${year}-12-31`, name: 'jullov' },
  ];
}

/** The counties a range applies to, as people read them ("Stockholms län, Gotlands län"), or "hela landet". */
export const countiesText = (r: { counties?: readonly string[] }): string =>
  r.counties?.length ? r.counties.map((c) => counties[c as CountyCode] ?? c).join(', ') : 'hela landet';

/** The counties of a region (for a group session of the region). */
export const countiesOfRegion = (region: string): string[] => [...(regions[region as keyof typeof regions]?.counties ?? [])];
