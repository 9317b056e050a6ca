/**
 * The planned dialogue dates as the inspectorate reads them: the API's pages (by period from the
 * byKind index, or one organiser by org. number from its partition) and the console's month view
 * per region. Only what core/planned-dates.ts `publicWindow` shows leaves: no contacts, notes,
 * answers or dialogue ids.
 */
import * as z from '#core/zod.ts';
import { addCalendarDays, stockholmDate, stockholmInstant } from '#core/calendar.ts';
import { type PlannedWindow, type PublicWindow, publicWindow, windowStatuses } from '#core/planned-dates.ts';
import { ValidationError } from '#core/errors.ts';
import type { Page } from '#core/ports.ts';
import { regions } from '#core/regions.ts';
import { meetingKinds } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

const day = (what: string) =>
  z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, `${what} must be a date like 2027-03-01`),
    z.refine((s) => !Number.isNaN(Date.parse(s)), `${what} is not a date`),
  );

/** The longest period one request may cover. */
export const MAX_PERIOD_DAYS = 731;

export const plannedDatesQuerySchema = z
  .strictObject({
    orgNumber: z.optional(
      z.pipe(
        z.string().check(z.trim(), z.regex(/^\d{6}-?\d{4}$/, 'orgNumber must be a Swedish organisation number like 212000-0142')),
        z.transform((s) => s.replace('-', '')),
      ),
    ),
    from: z.optional(day('from')),
    to: z.optional(day('to')),
    region: z.optional(
      z.enum(Object.keys(regions) as [string, ...string[]], { message: `region must be one of ${Object.keys(regions).join(', ')}` }),
    ),
    status: z.optional(z.enum(windowStatuses, { message: `status must be one of ${windowStatuses.join(', ')}` })),
    kind: z.optional(z.enum(meetingKinds, { message: `kind must be one of ${meetingKinds.join(', ')}` })),
    limit: z._default(z.coerce.number().check(z.int('limit must be a whole number'), z.gte(1), z.lte(500)), 100),
    cursor: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(z.refine((q) => !q.from || !q.to || q.to >= q.from, { message: 'to is before from', path: ['to'] }));
export type PlannedDatesQuery = z.output<typeof plannedDatesQuerySchema>;

/** The period as instants: from 00:00 on `from` to 00:00 after `to` (Stockholm). Default: today and a year on. */
export function period(
  d: Pick<Deps, 'clock'>,
  q: { from?: string; to?: string },
): { from: string; to: string; fromIso: string; toIso: string } {
  const from = q.from ?? stockholmDate(d.clock.now());
  const to = q.to ?? addCalendarDays(from, 365);
  if (addCalendarDays(from, MAX_PERIOD_DAYS) < to) throw new ValidationError(`Ask for at most ${MAX_PERIOD_DAYS} days at a time (from–to)`);
  return {
    from,
    to,
    fromIso: stockholmInstant(from, '00:00').toISOString(),
    toIso: stockholmInstant(addCalendarDays(to, 1), '00:00').toISOString(),
  };
}

const matches = (q: Pick<PlannedDatesQuery, 'region' | 'status' | 'kind'>) => (w: PlannedWindow) =>
  (!q.region || w.region === q.region) && (!q.status || w.status === q.status) && (!q.kind || w.kind === q.kind);

/** One organiser's pages are positions in its sorted windows: the cursor `o<n>`. */
function offsetOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^o(\d{1,6})$/.exec(cursor);
  if (!m)
    throw new ValidationError('cursor is not valid: pass the cursor value from the previous page of the same list unchanged', [
      { path: 'cursor', message: 'not a cursor of this list' },
    ]);
  return Number(m[1]);
}

/** Index pages read for one answer at most: a filter that keeps little still answers in bounded time. */
const MAX_ROUNDS = 10;

/** Windows in the period matching the filters, a page at a time (never a Scan). */
export async function findWindows(d: Deps, q: PlannedDatesQuery): Promise<Page<PlannedWindow>> {
  const p = period(d, q);
  const keep = matches(q);
  if (q.orgNumber) {
    // One organiser: its partition holds every window it has (a few dozen); paged by position.
    const organiserId = (await d.calendar.resolveOrgNumbers([q.orgNumber])).get(q.orgNumber);
    const all = organiserId ? await d.feeds.windowsOfOrganiser(organiserId) : [];
    const items = all
      .filter((w) => w.start >= p.fromIso && w.start < p.toIso && keep(w))
      .sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid));
    const at = offsetOf(q.cursor);
    const next = at + q.limit;
    return { items: items.slice(at, next), cursor: next < items.length ? `o${next}` : undefined };
  }
  const items: PlannedWindow[] = [];
  let cursor = q.cursor;
  for (let round = 0; round < MAX_ROUNDS && items.length < q.limit; round++) {
    const page = await d.feeds.windowsStarting(p.fromIso, p.toIso, q.limit - items.length, cursor);
    items.push(...page.items.filter(keep));
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { items, cursor };
}

/** GET /api/planned-dates: inspectorate and coordinators. */
export async function listPlannedDates(d: Deps, raw: unknown): Promise<{ items: PublicWindow[]; cursor?: string }> {
  const q = parseOrThrow(plannedDatesQuerySchema, raw, 'query');
  const page = await findWindows(d, q);
  return { items: page.items.map(publicWindow), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** Every window in the period (all pages, within a read budget): the feed and the month view. */
export async function allWindows(
  d: Deps,
  q: { from: string; to: string; region?: string },
  budget = 20_000,
): Promise<{ items: PlannedWindow[]; partial: boolean }> {
  const p = period(d, q);
  const items: PlannedWindow[] = [];
  let cursor: string | undefined;
  do {
    const page = await d.feeds.windowsStarting(p.fromIso, p.toIso, 1000, cursor);
    items.push(...page.items.filter((w) => !q.region || w.region === q.region));
    cursor = page.cursor;
  } while (cursor && items.length < budget);
  return { items, partial: Boolean(cursor) };
}

const monthField = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Ange månad som ÅÅÅÅ-MM.'));
const blankIsAbsent = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );
export const monthQuerySchema = z.strictObject({
  manad: blankIsAbsent(monthField),
  region: blankIsAbsent(z.enum(Object.keys(regions) as [string, ...string[]], { message: 'Välj en giltig region.' })),
});

export interface MonthDay {
  day: string;
  inMonth: boolean;
  windows: PlannedWindow[];
}

export interface PlannedMonth {
  month: string;
  region?: string;
  /** Monday to Sunday, covering the whole month. */
  weeks: MonthDay[][];
  /** How many booked and offered windows the month has. */
  count: number;
  partial: boolean;
  previous: string;
  next: string;
}

const monthOf = (day: string) => day.slice(0, 7);
const shiftMonth = (month: string, by: number): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** The booked and offered windows of one month (optionally one region) as a Monday-first calendar. */
export async function plannedMonth(d: Deps, raw: unknown): Promise<PlannedMonth> {
  const q = parseOrThrow(monthQuerySchema, raw, 'filter');
  const month = q.manad ?? monthOf(stockholmDate(d.clock.now()));
  const first = `${month}-01`;
  const last = addCalendarDays(`${shiftMonth(month, 1)}-01`, -1);
  const { items, partial } = await allWindows(d, { from: first, to: last, region: q.region }, 5000);
  const shown = items.filter((w) => w.status !== 'cancelled').sort((a, b) => a.start.localeCompare(b.start));
  const byDay = new Map<string, PlannedWindow[]>();
  for (const w of shown) {
    const day = stockholmDate(new Date(w.start));
    byDay.set(day, [...(byDay.get(day) ?? []), w]);
  }
  const weekday = (day: string) => (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7;
  const weeks: MonthDay[][] = [];
  for (let day = addCalendarDays(first, -weekday(first)); day <= last || weekday(day) !== 0; day = addCalendarDays(day, 1)) {
    if (weekday(day) === 0) weeks.push([]);
    weeks.at(-1)?.push({ day, inMonth: monthOf(day) === month, windows: byDay.get(day) ?? [] });
  }
  return { month, region: q.region, weeks, count: shown.length, partial, previous: shiftMonth(month, -1), next: shiftMonth(month, 1) };
}
