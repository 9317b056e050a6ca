/**
 * The Schools Inspectorate's calendar: one inspection of an organiser (optionally of one of its
 * school units), its kind, calendar days and status. Swedish date parsing and the calendar-day
 * arithmetic every clash rule uses live here. Inspections are whole days in Europe/Stockholm and
 * are stored as 'YYYY-MM-DD' strings (inclusive start and end).
 */
import { createHash } from 'node:crypto';
import * as z from '#core/zod.ts';

export const inspectionKinds = ['regular_supervision', 'quality_review', 'targeted_supervision', 'other'] as const;
export type InspectionKind = (typeof inspectionKinds)[number];

export const inspectionStatuses = ['planned', 'confirmed', 'cancelled'] as const;
export type InspectionStatus = (typeof inspectionStatuses)[number];

/** Swedish names (as the inspectorate writes them) for each kind, also used in texts. */
export const inspectionKindNames: Record<InspectionKind, string> = {
  regular_supervision: 'regelbunden tillsyn',
  quality_review: 'kvalitetsgranskning',
  targeted_supervision: 'riktad tillsyn',
  other: 'övrig inspektion',
};

const kindAliases: Record<string, InspectionKind> = {
  regelbunden_tillsyn: 'regular_supervision',
  tillsyn: 'regular_supervision',
  kvalitetsgranskning: 'quality_review',
  riktad_tillsyn: 'targeted_supervision',
  ovrigt: 'other',
  ovrig: 'other',
  ovrig_inspektion: 'other',
  annat: 'other',
};
const statusAliases: Record<string, InspectionStatus> = {
  planerad: 'planned',
  preliminar: 'planned',
  tentative: 'planned',
  bekraftad: 'confirmed',
  faststalld: 'confirmed',
  installd: 'cancelled',
  avbokad: 'cancelled',
  canceled: 'cancelled',
};

/** Lower-case, å/ä→a, ö→o, spaces and dashes to underscores: "Riktad tillsyn" → "riktad_tillsyn". */
const normalise = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/é/g, 'e')
    .replace(/[\s-]+/g, '_');

export function parseInspectionKind(value: string): InspectionKind | undefined {
  const n = normalise(value);
  return (inspectionKinds as readonly string[]).includes(n) ? (n as InspectionKind) : kindAliases[n];
}

export function parseInspectionStatus(value: string): InspectionStatus | undefined {
  const n = normalise(value);
  return (inspectionStatuses as readonly string[]).includes(n) ? (n as InspectionStatus) : statusAliases[n];
}

const months = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];

const pad = (n: number): string => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  if (y < 2000 || y > 2100) return undefined;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * A date as the inspectorate writes it: ISO "2026-03-05" (also 20260305), "5 mars 2026" (month
 * names or their first three letters, optional dot), or day first "5/3/2026" / "5.3.2026".
 * Returns 'YYYY-MM-DD' or undefined.
 */
export function parseSwedishDate(text: string): string | undefined {
  const s = text.trim().toLowerCase();
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(s);
  if (m) return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(s);
  if (m) return validDay(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})$/.exec(s);
  if (m?.[2]) {
    const name = m[2];
    const month = months.findIndex((full) => full === name || (name.length >= 3 && full.startsWith(name)));
    if (month >= 0) return validDay(Number(m[3]), month + 1, Number(m[1]));
  }
  return undefined;
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' plus n calendar days. */
export function addCalendarDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const stockholmDayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/Stockholm calendar day of an instant. */
export const stockholmDay = (d: Date): string => stockholmDayFormat.format(d);

const stockholmHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', hourCycle: 'h23' });

/** The instant of `hour`:00 Europe/Stockholm on a calendar day (CET or CEST, whichever applies). */
export function stockholmTime(day: string, hour: number): Date {
  for (const offset of [1, 2]) {
    const candidate = new Date(Date.parse(`${day}T${pad(hour)}:00:00Z`) - offset * 3_600_000);
    if (stockholmDay(candidate) === day && Number(stockholmHour.format(candidate)) === hour) return candidate;
  }
  return new Date(Date.parse(`${day}T${pad(hour)}:00:00Z`) - 3_600_000);
}

/** Swedish organisation number, stored without the dash. */
export const orgNumberSchema = z.pipe(
  z.string().check(z.trim(), z.regex(/^\d{6}-?\d{4}$/, 'must be a Swedish organisation number like 212000-0142')),
  z.transform((s) => s.replace('-', '')),
);

export const externalIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'the external id has 1-128 letters, digits or . _ : @ -'));

const dateField = () =>
  z.pipe(
    z.string(),
    z.transform((s, ctx) => {
      const day = parseSwedishDate(s);
      if (!day) {
        ctx.issues.push({ code: 'custom', input: s, message: `"${s}" is not a date: write 2026-03-05, 5 mars 2026 or 5/3/2026` });
        return z.NEVER;
      }
      return day;
    }),
  );

/** What the inspectorate sends for one inspection (PUT body, one CSV row, one VEVENT). */
export const inspectionInputSchema = z
  .pipe(
    z.strictObject({
      orgNumber: orgNumberSchema,
      schoolUnitCode: z.optional(z.string().check(z.trim(), z.regex(/^\d{8}$/, 'a school unit code has 8 digits'))),
      kind: z.pipe(
        z.string(),
        z.transform((s, ctx) => {
          const k = parseInspectionKind(s);
          if (!k) {
            ctx.issues.push({
              code: 'custom',
              input: s,
              message: `"${s}" is not a known kind: use ${inspectionKinds.join(', ')} (or regelbunden tillsyn, kvalitetsgranskning, riktad tillsyn, övrigt)`,
            });
            return z.NEVER;
          }
          return k;
        }),
      ),
      start: dateField(),
      end: z.optional(dateField()),
      status: z.pipe(
        z._default(z.string(), 'planned'),
        z.transform((s, ctx) => {
          const st = parseInspectionStatus(s);
          if (!st) {
            ctx.issues.push({
              code: 'custom',
              input: s,
              message: `"${s}" is not a known status: use planned, confirmed or cancelled (planerad, bekräftad, inställd)`,
            });
            return z.NEVER;
          }
          return st;
        }),
      ),
    }),
    z.transform((x) => ({ ...x, end: x.end ?? x.start })),
  )
  .check(
    z.refine((x) => x.end >= x.start, { message: 'end is before start', path: ['end'] }),
    z.refine((x) => Date.parse(x.end) - Date.parse(x.start) <= 366 * DAY_MS, {
      message: 'an inspection spans at most a year',
      path: ['end'],
    }),
  );
export type InspectionInput = z.output<typeof inspectionInputSchema>;

export interface Inspection extends InspectionInput {
  externalId: string;
  organiserId: string;
  /** Hash of the fields above: an upsert with the same hash changes nothing. */
  contentHash: string;
  updatedAt: string;
  updatedBy: string;
}

export function inspectionHash(externalId: string, organiserId: string, x: InspectionInput): string {
  const canonical = [externalId, organiserId, x.orgNumber, x.schoolUnitCode ?? '', x.kind, x.start, x.end, x.status].join('|');
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export const isActive = (i: Pick<Inspection, 'status'>): boolean => i.status !== 'cancelled';
