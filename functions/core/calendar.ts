/**
 * The working calendar every meeting is planned in: weekdays only, no Swedish public holidays
 * (date-holidays, country SE; the de facto holidays midsommarafton, julafton and nyårsafton
 * included), no configured school holidays, and office hours in Europe/Stockholm. Dates are
 * Stockholm calendar dates ("YYYY-MM-DD"); instants are UTC Dates. luxon does the zone
 * arithmetic, so a session at 09:00 is 09:00 in Stockholm on either side of a DST change.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { z } from 'zod';

export const STOCKHOLM = 'Europe/Stockholm';

const isoDate = z.iso.date({ message: 'a date must be written YYYY-MM-DD' });
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'a time must be written HH:MM' });

export const dateRangeSchema = z
  .object({ from: isoDate, to: isoDate, name: z.string().trim().min(1).max(100).optional() })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'a date range must not end before it starts' });
export type DateRange = z.infer<typeof dateRangeSchema>;

export const workingCalendarSchema = z
  .object({
    /** School holidays (sportlov, påsklov, sommarlov, höstlov, jullov …) when no meeting is offered. */
    schoolHolidays: z.array(dateRangeSchema).max(100).default([]),
    officeHours: z
      .object({ start: clockTime.default('08:30'), end: clockTime.default('16:30') })
      .strict()
      .default({ start: '08:30', end: '16:30' })
      .refine((h) => h.start < h.end, { message: 'office hours must end after they start' }),
  })
  .strict();
export type WorkingCalendar = z.output<typeof workingCalendarSchema>;

export const defaultWorkingCalendar = (): WorkingCalendar => workingCalendarSchema.parse({});

/** Holiday types that close Swedish workplaces: public holidays plus the "bank" eves. */
const CLOSED_TYPES = new Set(['public', 'bank']);
const holidays = new Holidays('SE');
const holidayCache = new Map<number, Map<string, string>>();

/** Non-working Swedish holidays of one year, date → Swedish name. */
export function swedishHolidays(year: number): ReadonlyMap<string, string> {
  let map = holidayCache.get(year);
  if (!map) {
    map = new Map();
    for (const h of holidays.getHolidays(year)) {
      if (CLOSED_TYPES.has(h.type)) map.set(h.date.slice(0, 10), h.name);
    }
    holidayCache.set(year, map);
  }
  return map;
}

export const isSwedishHoliday = (date: string): boolean => swedishHolidays(Number(date.slice(0, 4))).has(date);

export const isWeekend = (date: string): boolean => DateTime.fromISO(date, { zone: STOCKHOLM }).weekday >= 6;

export const isSchoolHoliday = (date: string, cal: WorkingCalendar): boolean =>
  cal.schoolHolidays.some((r) => r.from <= date && date <= r.to);

/** Why a date is not a working day, in Swedish (for coordinators), or undefined when it is one. */
export function nonWorkingReason(date: string, cal: WorkingCalendar): string | undefined {
  if (isWeekend(date)) return 'helg';
  const holiday = swedishHolidays(Number(date.slice(0, 4))).get(date);
  if (holiday) return holiday;
  const school = cal.schoolHolidays.find((r) => r.from <= date && date <= r.to);
  if (school) return school.name ?? 'skollov';
  return undefined;
}

export const isWorkingDay = (date: string, cal: WorkingCalendar): boolean => nonWorkingReason(date, cal) === undefined;

/** The Stockholm calendar date of an instant. */
export const stockholmDate = (at: Date): string => DateTime.fromJSDate(at, { zone: STOCKHOLM }).toISODate() as string;

/** The Stockholm wall-clock time "HH:MM" of an instant. */
export const stockholmTime = (at: Date): string => DateTime.fromJSDate(at, { zone: STOCKHOLM }).toFormat('HH:mm');

/** The instant of a Stockholm wall-clock time on a Stockholm date. */
export function stockholmInstant(date: string, time: string): Date {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: STOCKHOLM });
  if (!dt.isValid) throw new Error(`not a Stockholm time: ${date} ${time}`);
  return dt.toJSDate();
}

export const addCalendarDays = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: STOCKHOLM }).plus({ days }).toISODate() as string;

/** Working days from `from` (inclusive) through `horizonDays` calendar days later. */
export function* workingDays(from: string, cal: WorkingCalendar, horizonDays: number): Generator<string> {
  for (let i = 0; i <= horizonDays; i++) {
    const date = addCalendarDays(from, i);
    if (isWorkingDay(date, cal)) yield date;
  }
}

/** Minutes since midnight of "HH:MM". */
export const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
export const timeOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
