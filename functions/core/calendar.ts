/**
 * The working calendar every meeting is planned in: weekdays only, no Swedish public holidays
 * (the de facto holidays midsommarafton, julafton and nyårsafton included), no configured school holidays, and office hours in Europe/Stockholm. Dates are
 * Stockholm calendar dates ("YYYY-MM-DD"); instants are UTC Dates. Calendar-date arithmetic is
 * zone-free (UTC midnights); Intl (its zone database) converts
 * between instants and Stockholm wall-clock times, so a session at 09:00 is 09:00 in Stockholm on
 * either side of a DST change.
 */
import { easter } from 'date-easter';
import * as z from '#core/zod.ts';
import { oneLine } from './fields.ts';

export const STOCKHOLM = 'Europe/Stockholm';

/** A calendar date as the UTC midnight that carries it (zone-free date arithmetic). */
const utcDay = (year: number, month: number, day: number): Date => new Date(Date.UTC(year, month - 1, day));
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const plusDays = (d: Date, days: number): Date => new Date(d.getTime() + days * 86_400_000);
/** ISO weekday, 1 = Monday … 7 = Sunday. */
const isoWeekday = (d: Date): number => d.getUTCDay() || 7;
const parseDay = (date: string): Date => {
  const d = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(d.getTime()) || isoDay(d) !== date) throw new Error(`not a date: ${date}`);
  return d;
};

const isoDate = z.iso.date({ message: 'a date must be written YYYY-MM-DD' });
const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'a time must be written HH:MM' }));

export const dateRangeSchema = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100), oneLine('name'))),
    /** Only organisers in these counties (two-digit codes) have the holiday then, e.g. a sportlov week. */
    counties: z.optional(z.array(z.string().check(z.regex(/^\d{2}$/, 'a county is a two-digit code, e.g. "01"'))).check(z.maxLength(25))),
  })
  .check(z.refine((r) => r.from <= r.to, { message: 'a date range must not end before it starts' }));
export type DateRange = z.infer<typeof dateRangeSchema>;

export const workingCalendarSchema = z.strictObject({
  /** School holidays (sportlov, påsklov, sommarlov, höstlov, jullov …) when no meeting is offered. */
  schoolHolidays: z._default(z.array(dateRangeSchema).check(z.maxLength(200)), []),
  officeHours: z
    ._default(z.strictObject({ start: z._default(clockTime, '08:30'), end: z._default(clockTime, '16:30') }), {
      start: '08:30',
      end: '16:30',
    })
    .check(z.refine((h) => h.start < h.end, { message: 'office hours must end after they start' })),
});
export type WorkingCalendar = z.output<typeof workingCalendarSchema>;

export const defaultWorkingCalendar = (): WorkingCalendar => workingCalendarSchema.parse({});

/**
 * The calendar of a meeting with organisers in `countyCodes`: the holidays that apply to everyone,
 * and the regional ones (sportlov) of any of those counties. With no county (no organiser given),
 * only the holidays of everyone.
 */
export function calendarForCounties(cal: WorkingCalendar, countyCodes: readonly string[]): WorkingCalendar {
  const wanted = new Set(countyCodes);
  return { ...cal, schoolHolidays: cal.schoolHolidays.filter((r) => !r.counties?.length || r.counties.some((c) => wanted.has(c))) };
}

/**
 * Sweden's non-working days, after the Act on public holidays (1989:253) since 2005 plus the eves
 * that close workplaces. date-holidays (country SE, types public + bank) has the same list — a unit
 * test compares them over decades — but it ships every country's rules, moment-timezone and an
 * astronomy library (1.4 MB in each Lambda); Sweden needs Easter (date-easter) and three
 * "weekday on or after" rules.
 */
const FIXED: readonly [string, string][] = [
  ['01-01', 'nyårsdagen'],
  ['01-06', 'trettondedag jul'],
  ['05-01', 'första maj'],
  ['06-06', 'nationaldagen'],
  ['12-24', 'julafton'],
  ['12-25', 'juldagen'],
  ['12-26', 'annandag jul'],
  ['12-31', 'nyårsafton'],
];
const EASTER_OFFSETS: readonly [number, string][] = [
  [-2, 'långfredagen'],
  [0, 'påskdagen'],
  [1, 'annandag påsk'],
  [39, 'Kristi himmelsfärdsdag'],
  [49, 'pingstdagen'],
];
/** `weekday` (1 = Monday … 7 = Sunday) on or after month-day of `year`. */
const onOrAfter = (year: number, month: number, day: number, weekday: number): Date => {
  const start = utcDay(year, month, day);
  return plusDays(start, (weekday - isoWeekday(start) + 7) % 7);
};
const holidayCache = new Map<number, Map<string, string>>();

/** Non-working Swedish holidays of one year, date → Swedish name. */
export function swedishHolidays(year: number): ReadonlyMap<string, string> {
  let map = holidayCache.get(year);
  if (!map) {
    map = new Map();
    const e = easter(year);
    const easterSunday = utcDay(year, e.month, e.day);
    for (const [offset, name] of EASTER_OFFSETS) map.set(isoDay(plusDays(easterSunday, offset)), name);
    // A fixed-date holiday names a day it shares with a movable one (pingstdagen 6 June 2049).
    for (const [md, name] of FIXED) map.set(`${year}-${md}`, name);
    const midsummerEve = onOrAfter(year, 6, 19, 5);
    map.set(isoDay(midsummerEve), 'midsommarafton');
    map.set(isoDay(plusDays(midsummerEve, 1)), 'midsommardagen');
    map.set(isoDay(onOrAfter(year, 10, 31, 6)), 'alla helgons dag');
    map = new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
    holidayCache.set(year, map);
  }
  return map;
}

export const isSwedishHoliday = (date: string): boolean => swedishHolidays(Number(date.slice(0, 4))).has(date);

export const isWeekend = (date: string): boolean => isoWeekday(parseDay(date)) >= 6;

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

/**
 * Instant → Stockholm wall clock through one cached Intl formatter (the zone database in Intl):
 * slot proposals and clash checks call this in loops.
 */
const wallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: STOCKHOLM,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const wallParts = (at: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> => {
  const parts = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of wallClock.formatToParts(at)) if (p.type in parts) parts[p.type as keyof typeof parts] = p.value;
  return parts;
};

/** The Stockholm calendar date of an instant. */
export const stockholmDate = (at: Date): string => {
  const p = wallParts(at);
  return `${p.year}-${p.month}-${p.day}`;
};

/** The Stockholm wall-clock time "HH:MM" of an instant. */
export const stockholmTime = (at: Date): string => {
  const p = wallParts(at);
  return `${p.hour}:${p.minute}`;
};

/** The instant of a Stockholm wall-clock time on a Stockholm date. */
export function stockholmInstant(date: string, time: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(time))
    throw new Error(`not a Stockholm time: ${date} ${time}`);
  try {
    parseDay(date);
  } catch {
    throw new Error(`not a Stockholm time: ${date} ${time}`);
  }
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, sec = 0] = time.split(':').map(Number) as [number, number, number?];
  // The wall-clock time read as if it were UTC, moved back by Stockholm's offset at that instant;
  // checked once more at the result (the offset may differ across a summer-time change: a time in
  // the spring gap lands an hour later, an hour that occurs twice in autumn is its later one).
  const local = Date.UTC(y, mo - 1, d, h, mi, sec);
  const first = local - stockholmOffset(local);
  const second = local - stockholmOffset(first);
  return new Date(second);
}

/** Stockholm's offset from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function stockholmOffset(at: number): number {
  const minute = Math.floor(at / 60_000) * 60_000;
  const p = wallParts(new Date(minute));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - minute;
}

export const addCalendarDays = (date: string, days: number): string => isoDay(plusDays(parseDay(date), days));

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
