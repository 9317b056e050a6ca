/**
 * The school holidays no meeting is offered in: per year the defaults (core/school-holidays.ts) or
 * what a coordinator set in the console, plus any fixed in the SCHOOL_HOLIDAYS setting. Every slot
 * search and booking reads its calendar here, for the counties of the organisers it is for (a
 * regional sportlov applies only there). Read at most once a minute per process.
 */
import * as z from '#core/zod.ts';
import { calendarForCounties, type DateRange, dateRangeSchema, type WorkingCalendar } from '#core/calendar.ts';
import { ValidationError } from '#core/errors.ts';
import type { Organiser } from '#core/organiser.ts';
import type { StoredSchoolHolidays } from '#core/ports.ts';
import { defaultSchoolHolidays } from '#core/school-holidays.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

export interface YearHolidays {
  year: number;
  ranges: DateRange[];
  /** Set by a coordinator (otherwise the defaults). */
  custom?: { updatedAt: string; updatedBy: string };
}

export async function holidaysOfYear(d: Pick<Deps, 'schoolHolidays' | 'scheduling'>, year: number): Promise<YearHolidays> {
  const stored = await d.schoolHolidays.get(year);
  return stored
    ? { year, ranges: stored.ranges, custom: { updatedAt: stored.updatedAt, updatedBy: stored.updatedBy } }
    : { year, ranges: d.scheduling.holidayDefaults ? defaultSchoolHolidays(year) : [] };
}

const CACHE_MS = 60_000;
const cache = new WeakMap<object, { at: number; years: string; holidays: DateRange[] }>();

/** The holidays of this year and the next (a slot search looks at most about seven months ahead). */
async function currentHolidays(d: Deps): Promise<DateRange[]> {
  const year = d.clock.now().getUTCFullYear();
  const years = `${year},${year + 1}`;
  const hit = cache.get(d);
  if (hit && hit.years === years && Date.now() - hit.at < CACHE_MS) return hit.holidays;
  const holidays = (await Promise.all([year, year + 1].map((y) => holidaysOfYear(d, y)))).flatMap((h) => h.ranges);
  cache.set(d, { at: Date.now(), years, holidays });
  return holidays;
}

/** The working calendar for organisers in `countyCodes` (none: only the holidays everyone has). */
export async function workingCalendar(d: Deps, countyCodes: readonly string[]): Promise<WorkingCalendar> {
  const fixed = d.scheduling.calendar;
  const cal = { ...fixed, schoolHolidays: [...(await currentHolidays(d)), ...fixed.schoolHolidays] };
  return calendarForCounties(cal, countyCodes);
}

/** The counties of organisers (by id), for their calendar. `known`: organisers the caller read in this step (not read again). */
export async function countiesOf(d: Deps, organiserIds: readonly string[], known: readonly Organiser[] = []): Promise<string[]> {
  const organisers = await Promise.all([...new Set(organiserIds)].map((id) => known.find((o) => o.id === id) ?? d.organisers.get(id)));
  return [...new Set(organisers.flatMap((o) => (o ? [o.countyCode] : [])))];
}

const yearSchema = z.coerce.number({ message: 'Välj ett år.' }).check(z.int(), z.gte(2000, 'Välj ett år.'), z.lte(2100, 'Välj ett år.'));

const saveSchema = z.strictObject({
  year: yearSchema,
  ranges: z.array(dateRangeSchema).check(
    z.maxLength(60, 'Högst 60 lov per år.'),
    z.refine((rs) => rs.every((r) => r.from.slice(0, 4) === r.to.slice(0, 4)), { message: 'Ett lov börjar och slutar samma år.' }),
  ),
});

/** A coordinator saves a year's holidays; every range must lie in that year. */
export async function saveHolidays(d: Deps, body: unknown, by: string): Promise<StoredSchoolHolidays> {
  const input = parseOrThrow(saveSchema, body, 'holidays');
  const outside = input.ranges.find((r) => Number(r.from.slice(0, 4)) !== input.year);
  if (outside) throw new ValidationError(`${outside.name ?? 'Ett lov'} ligger inte i ${input.year}.`);
  const value = {
    year: input.year,
    ranges: input.ranges.toSorted((a, b) => a.from.localeCompare(b.from)),
    updatedAt: d.clock.now().toISOString(),
    updatedBy: by,
  };
  await d.schoolHolidays.put(value);
  cache.delete(d);
  return value;
}

/** Back to the default weeks for the year. */
export async function resetHolidays(d: Deps, year: unknown): Promise<void> {
  await d.schoolHolidays.delete(parseOrThrow(yearSchema, year, 'year'));
  cache.delete(d);
}
