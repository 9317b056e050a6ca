/**
 * Reads the inspectorate's bulk files into validated rows, each with the line number it starts
 * on: CSV (UTF-8, ';' or ',', Swedish or English headers, Swedish dates) and iCalendar feeds
 * (one VEVENT per inspection). A bad row becomes a readable error for its line; nothing here
 * touches storage, so a dry-run is exactly this plus the organiser look-up.
 */
import { parse } from 'csv-parse/sync';
import ICAL from 'ical.js';
import { externalIdSchema, type InspectionInput, inspectionInputSchema } from './inspection.ts';

export interface ImportRow {
  line: number;
  externalId: string;
  input: InspectionInput;
}
export interface ImportError {
  line: number;
  externalId?: string;
  reason: string;
}
export interface ParsedImport {
  rows: ImportRow[];
  errors: ImportError[];
  /** Data rows (or VEVENTs) read, good and bad. */
  total: number;
}

const headerAliases: Record<string, string> = {
  id: 'externalId',
  externalid: 'externalId',
  external_id: 'externalId',
  externt_id: 'externalId',
  extern_id: 'externalId',
  arendenummer: 'externalId',
  diarienummer: 'externalId',
  uid: 'externalId',
  orgnr: 'orgNumber',
  org_nr: 'orgNumber',
  organisationsnummer: 'orgNumber',
  orgnumber: 'orgNumber',
  org_number: 'orgNumber',
  skolenhetskod: 'schoolUnitCode',
  skolenhet: 'schoolUnitCode',
  schoolunitcode: 'schoolUnitCode',
  school_unit_code: 'schoolUnitCode',
  typ: 'kind',
  kind: 'kind',
  inspektionstyp: 'kind',
  start: 'start',
  startdatum: 'start',
  fran: 'start',
  from: 'start',
  datum: 'start',
  slut: 'end',
  slutdatum: 'end',
  end: 'end',
  till: 'end',
  to: 'end',
  status: 'status',
};
const required = ['externalId', 'orgNumber', 'kind', 'start'];

const headerKey = (h: string): string | undefined =>
  headerAliases[
    h
      .trim()
      .toLowerCase()
      .replace(/[åä]/g, 'a')
      .replace(/ö/g, 'o')
      .replace(/[\s.-]+/g, '_')
  ];

function validate(line: number, fields: Record<string, string | undefined>, out: ParsedImport, seen: Map<string, number>): void {
  const id = externalIdSchema.safeParse(fields.externalId ?? '');
  if (!id.success) {
    out.errors.push({ line, reason: `externalId "${fields.externalId ?? ''}": ${id.error.issues[0]?.message}` });
    return;
  }
  const externalId = id.data;
  const first = seen.get(externalId);
  if (first !== undefined) {
    out.errors.push({ line, externalId, reason: `externalId ${externalId} appears again (first on line ${first})` });
    return;
  }
  seen.set(externalId, line);
  const clean = Object.fromEntries(Object.entries(fields).filter(([k, v]) => k !== 'externalId' && v !== undefined && v.trim() !== ''));
  const r = inspectionInputSchema.safeParse(clean);
  if (!r.success) {
    out.errors.push({
      line,
      externalId,
      reason: r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
    });
    return;
  }
  out.rows.push({ line, externalId, input: r.data });
}

export function parseInspectionCsv(text: string): ParsedImport {
  const out: ParsedImport = { rows: [], errors: [], total: 0 };
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    out.errors.push({ line, reason: `the CSV cannot be read: ${(e as Error).message}` });
    return out;
  }
  const [header, ...data] = records;
  if (!header) {
    out.errors.push({ line: 1, reason: 'the file is empty: the first line must name the columns' });
    return out;
  }
  const columns = header.record.map(headerKey);
  const missing = required.filter((k) => !columns.includes(k));
  if (missing.length) {
    out.errors.push({
      line: header.info.lines,
      reason: `the header lacks ${missing.join(', ')}; expected columns like id;orgnr;skolenhetskod;typ;start;slut;status`,
    });
    return out;
  }
  const seen = new Map<string, number>();
  for (const { record, info } of data) {
    out.total++;
    const fields: Record<string, string | undefined> = {};
    columns.forEach((key, i) => {
      if (key) fields[key] = record[i];
    });
    validate(info.lines, fields, out, seen);
  }
  return out;
}

const icsStatus: Record<string, string> = { TENTATIVE: 'planned', CONFIRMED: 'confirmed', CANCELLED: 'cancelled' };

/** A DATE or DATE-TIME property as 'YYYY-MM-DD' (the wall-clock day as written). */
const dayOf = (t: ICAL.Time): string => `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;

/** Splits the feed into VEVENT blocks with the line each starts on (after unfolding continuation lines). */
function veventBlocks(text: string): { line: number; lines: string[] }[] {
  const blocks: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      if (/^[ \t]/.test(raw)) {
        if (current?.lines.length) current.lines[current.lines.length - 1] += raw.slice(1);
        return;
      }
      const upper = raw.trim().toUpperCase();
      if (upper === 'BEGIN:VEVENT') current = { line: index + 1, lines: [] };
      if (current) current.lines.push(raw);
      if (upper === 'END:VEVENT' && current) {
        blocks.push(current);
        current = undefined;
      }
    });
  if (current) blocks.push(current);
  return blocks;
}

/** A VEVENT whose dates cannot be taken as written. */
class IcsDateError extends Error {}

/** The value of a property as written in the (unfolded) VEVENT lines: `DTSTART;VALUE=DATE:20260230` → `20260230`. */
function rawValue(lines: readonly string[], name: string): string | undefined {
  for (const line of lines) {
    let quoted = false;
    let colon = -1;
    for (let i = 0; i < line.length && colon < 0; i++) {
      if (line[i] === '"') quoted = !quoted;
      else if (line[i] === ':' && !quoted) colon = i;
    }
    if (colon < 0) continue;
    const propName = line.slice(0, colon).split(';', 1)[0]?.trim().toUpperCase();
    if (propName === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/**
 * A DATE or DATE-TIME value checked as written. ical.js rolls an impossible date over (20260230
 * becomes 2 March, 20261345 becomes 14 February 2027), where the CSV import and PUT refuse it:
 * every door takes the same dates, so the value is checked before ical.js reads it.
 */
function checkIcsValue(name: string, value: string | undefined): void {
  if (value === undefined) return;
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  if (!m) throw new IcsDateError(`${name} ${value} is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    throw new IcsDateError(`${name} ${value} is not a date that exists`);
  }
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60)) {
    throw new IcsDateError(`${name} ${value} is not a time that exists`);
  }
}

function veventFields(ev: ICAL.Component, lines: readonly string[]): Record<string, string | undefined> {
  checkIcsValue('DTSTART', rawValue(lines, 'DTSTART'));
  checkIcsValue('DTEND', rawValue(lines, 'DTEND'));
  const text = (name: string): string | undefined => {
    const v = ev.getFirstPropertyValue(name);
    if (v === null || v === undefined) return undefined;
    return typeof v === 'string' ? v : String(v);
  };
  const time = (name: string): ICAL.Time | undefined => {
    const v = ev.getFirstPropertyValue(name);
    return v instanceof ICAL.Time ? v : undefined;
  };
  const start = time('dtstart');
  let endDay: string | undefined;
  const end = time('dtend');
  if (end) {
    if (start && end.compare(start) < 0) throw new IcsDateError(`DTEND ${dayOf(end)} is before DTSTART ${dayOf(start)}`);
    if (end.isDate && !(start && end.compare(start) === 0)) {
      // An all-day DTEND is exclusive: the last day is the one before (DTEND = DTSTART is read as that one day).
      const last = end.clone();
      last.adjust(-1, 0, 0, 0);
      endDay = dayOf(last);
    } else endDay = dayOf(end);
  }
  const status = text('status');
  return {
    externalId: text('uid'),
    orgNumber: text('x-org-number') ?? text('x-orgnr'),
    schoolUnitCode: text('x-school-unit') ?? text('x-skolenhetskod'),
    kind: text('x-inspection-kind') ?? text('categories'),
    start: start ? dayOf(start) : text('dtstart'),
    end: endDay,
    status: status ? (icsStatus[status.toUpperCase()] ?? status) : undefined,
  };
}

/**
 * VEVENTs: UID → externalId, DTSTART/DTEND (all-day DTEND is exclusive), STATUS, and the
 * organiser in X-ORG-NUMBER (or X-ORGNR), optional X-SCHOOL-UNIT, kind in X-INSPECTION-KIND or
 * CATEGORIES.
 */
export function parseInspectionIcs(text: string): ParsedImport {
  const out: ParsedImport = { rows: [], errors: [], total: 0 };
  if (!/^\uFEFF?BEGIN:VCALENDAR/i.test(text.trim())) {
    out.errors.push({ line: 1, reason: 'not an iCalendar feed: the first line must be BEGIN:VCALENDAR' });
    return out;
  }
  const seen = new Map<string, number>();
  for (const block of veventBlocks(text)) {
    out.total++;
    if (!/^END:VEVENT$/i.test(block.lines.at(-1)?.trim() ?? '')) {
      out.errors.push({ line: block.line, reason: 'the VEVENT has no END:VEVENT' });
      continue;
    }
    let ev: ICAL.Component | null;
    try {
      const cal = new ICAL.Component(
        ICAL.parse(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//import//SV\r\n${block.lines.join('\r\n')}\r\nEND:VCALENDAR`),
      );
      ev = cal.getFirstSubcomponent('vevent');
    } catch (e) {
      out.errors.push({ line: block.line, reason: `the VEVENT cannot be read: ${(e as Error).message}` });
      continue;
    }
    if (!ev) continue;
    let fields: Record<string, string | undefined>;
    try {
      fields = veventFields(ev, block.lines);
    } catch (e) {
      const externalId = String(ev.getFirstPropertyValue('uid') ?? '') || undefined;
      out.errors.push({
        line: block.line,
        ...(externalId ? { externalId } : {}),
        reason: e instanceof IcsDateError ? e.message : `the VEVENT cannot be read: ${(e as Error).message}`,
      });
      continue;
    }
    validate(block.line, fields, out, seen);
  }
  return out;
}
