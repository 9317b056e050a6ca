/**
 * The inspectorate's bulk import of CSV / iCalendar files: a dry-run reports every bad row and
 * writes nothing; the real import applies every good row; the same file again changes nothing.
 * Every change is audited and re-checks the organiser's planned dialogue dates. A module of its
 * own so that only the inspection-import function bundles the parsers (ical.js, csv-parse).
 */
import { ValidationError } from '#core/errors.ts';
import type { Inspection } from '#core/inspection.ts';
import { type ImportError, type ParsedImport, parseInspectionCsv, parseInspectionIcs } from '#core/inspection-import.ts';
import type { Deps } from '#adapters/deps.ts';
import type { Actor } from './clash.ts';
import { apply, recheck, toInspection, unknownOrganiser } from './inspections.ts';

export const importFormats = { 'text/csv': parseInspectionCsv, 'text/calendar': parseInspectionIcs } as const;
/** Keeps one import well inside the inspection-import function's 20 s timeout (about 2.6 ms a changed row locally). */
export const MAX_IMPORT_ROWS = 2000;

export interface ImportReport {
  dryRun: boolean;
  format: keyof typeof importFormats;
  rows: number;
  valid: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
  /** What the run writes (or would write), row by row, in file order. */
  changes?: { line: number; externalId: string; organiserId: string; action: 'created' | 'updated' }[];
  flagged?: string[];
  cleared?: string[];
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Imports a CSV or iCalendar file. Both runs validate every row and resolve every org. number;
 * only the real run writes, and only the rows that are good and changed.
 */
export async function importInspections(d: Deps, contentType: string, text: string, dryRun: boolean, actor: Actor): Promise<ImportReport> {
  // The media type exactly ("text/csv; charset=utf-8" is CSV, "text/csvx" is not).
  const mediaType = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  const format = (Object.keys(importFormats) as (keyof typeof importFormats)[]).find((f) => mediaType === f);
  if (!format)
    throw new ValidationError('Send the file with Content-Type: text/csv (UTF-8, ; or , separated) or text/calendar (iCalendar)');
  if (!text.trim()) throw new ValidationError('The file is empty');
  const parsed: ParsedImport = importFormats[format](text);
  if (parsed.total > MAX_IMPORT_ROWS)
    throw new ValidationError(`The file has ${parsed.total} rows; split it into files of at most ${MAX_IMPORT_ROWS}`);
  const errors = [...parsed.errors];
  const organisers = await d.calendar.resolveOrgNumbers(parsed.rows.map((r) => r.input.orgNumber));
  const existing = await d.calendar.getInspections(parsed.rows.map((r) => r.externalId));
  const changes: { next: Inspection; previous?: Inspection; line: number }[] = [];
  let unchanged = 0;
  let valid = 0;
  for (const row of parsed.rows) {
    const organiserId = organisers.get(row.input.orgNumber);
    if (!organiserId) {
      errors.push({ line: row.line, externalId: row.externalId, reason: `orgNumber: ${unknownOrganiser(row.input.orgNumber)}` });
      continue;
    }
    valid++;
    const next = toInspection(d, row.externalId, organiserId, row.input, actor);
    const previous = existing.get(row.externalId);
    if (previous?.contentHash === next.contentHash) unchanged++;
    else changes.push({ next, previous, line: row.line });
  }
  errors.sort((a, b) => a.line - b.line);
  const report: ImportReport = {
    dryRun,
    format,
    rows: parsed.total,
    // Rows that can be imported; an error about the whole file (its header, its format) is no row.
    valid,
    created: changes.filter((c) => !c.previous).length,
    updated: changes.filter((c) => c.previous).length,
    unchanged,
    errors,
    changes: changes.map((c) => ({
      line: c.line,
      externalId: c.next.externalId,
      organiserId: c.next.organiserId,
      action: c.previous ? 'updated' : 'created',
    })),
  };
  if (dryRun) return report;
  await mapLimit(changes, 16, ({ next, previous }) => apply(d, next, previous, actor, 'imported'));
  const affected = changes.flatMap((c) => [c.next.organiserId, ...(c.previous ? [c.previous.organiserId] : [])]);
  return { ...report, ...(await recheck(d, affected, actor)) };
}
