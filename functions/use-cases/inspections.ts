/**
 * The inspectorate's use-cases on its calendar: idempotent upsert by external id, delete, list
 * per organiser, and bulk import of CSV / iCalendar files (dry-run reports every bad row and
 * writes nothing; the real import applies every good row; the same file again changes nothing).
 * Every change is audited and re-checks the organiser's planned dialogue dates.
 */
import * as z from 'zod';
import { type ImportError, type ParsedImport, parseInspectionCsv, parseInspectionIcs } from '#core/inspection-import.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import {
  externalIdSchema,
  type Inspection,
  type InspectionInput,
  inspectionHash,
  inspectionInputSchema,
  orgNumberSchema,
} from '#core/inspection.ts';
import type { Deps } from '#adapters/deps.ts';
import { type Actor, actorText, audit, recheckOrganiser } from './clash.ts';
import { parseOrThrow } from './validate.ts';

const unknownOrganiser = (orgNumber: string) =>
  `no organiser with org. number ${orgNumber}; the coordinators register organisers with POST /api/organisers`;

function toInspection(d: Deps, externalId: string, organiserId: string, input: InspectionInput, actor: Actor): Inspection {
  return {
    ...input,
    externalId,
    organiserId,
    contentHash: inspectionHash(externalId, organiserId, input),
    updatedAt: d.clock.now().toISOString(),
    updatedBy: actorText(actor),
  };
}

export interface UpsertResult {
  inspection: Inspection;
  outcome: 'created' | 'updated' | 'unchanged';
  flagged: string[];
  cleared: string[];
}

/** Writes one inspection (already validated and resolved) unless it is unchanged; does not re-check. */
async function apply(
  d: Deps,
  next: Inspection,
  previous: Inspection | undefined,
  actor: Actor,
  action: 'created' | 'updated' | 'imported',
) {
  await d.calendar.saveInspection(next, previous);
  await audit(
    d,
    actor,
    action === 'imported' ? 'inspection.imported' : previous ? 'inspection.updated' : 'inspection.created',
    next.externalId,
    {
      organiserId: next.organiserId,
      kind: next.kind,
      start: next.start,
      end: next.end,
      status: next.status,
      ...(previous
        ? { previous: { start: previous.start, end: previous.end, status: previous.status, organiserId: previous.organiserId } }
        : {}),
    },
  );
}

async function recheck(d: Deps, organiserIds: Iterable<string>, actor: Actor) {
  const out = { flagged: [] as string[], cleared: [] as string[] };
  for (const id of new Set(organiserIds)) {
    const r = await recheckOrganiser(d, id, actor);
    out.flagged.push(...r.flagged);
    out.cleared.push(...r.cleared);
  }
  return out;
}

export async function upsertInspection(d: Deps, externalIdParam: string, body: unknown, actor: Actor): Promise<UpsertResult> {
  const externalId = parseOrThrow(externalIdSchema, externalIdParam, 'externalId');
  const input = parseOrThrow(inspectionInputSchema, body, 'inspection');
  const organiserId = (await d.calendar.resolveOrgNumbers([input.orgNumber])).get(input.orgNumber);
  if (!organiserId) throw new NotFoundError(unknownOrganiser(input.orgNumber));
  const previous = await d.calendar.getInspection(externalId);
  const next = toInspection(d, externalId, organiserId, input, actor);
  if (previous?.contentHash === next.contentHash) return { inspection: previous, outcome: 'unchanged', flagged: [], cleared: [] };
  await apply(d, next, previous, actor, previous ? 'updated' : 'created');
  const r = await recheck(d, [organiserId, ...(previous ? [previous.organiserId] : [])], actor);
  return { inspection: next, outcome: previous ? 'updated' : 'created', ...r };
}

export async function deleteInspection(d: Deps, externalIdParam: string, actor: Actor) {
  const externalId = parseOrThrow(externalIdSchema, externalIdParam, 'externalId');
  const existing = await d.calendar.getInspection(externalId);
  if (!existing) throw new NotFoundError(`No inspection with external id '${externalId}'`);
  await d.calendar.deleteInspection(existing);
  await audit(d, actor, 'inspection.deleted', externalId, { organiserId: existing.organiserId, start: existing.start, end: existing.end });
  return recheck(d, [existing.organiserId], actor);
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use a date like 2026-03-05');
export const listInspectionsSchema = z.object({
  organiserId: z.string().min(1, 'organiserId is required: the id of an organiser or its org. number').max(64),
  from: day.optional(),
  to: day.optional(),
});

/** The inspections of one organiser (id or org. number) that touch [from, to]. */
export async function listInspections(d: Deps, query: unknown): Promise<{ organiserId: string; items: Inspection[] }> {
  const q = parseOrThrow(listInspectionsSchema, query ?? {}, 'query');
  let organiserId = q.organiserId;
  const asOrgNumber = orgNumberSchema.safeParse(q.organiserId);
  if (asOrgNumber.success) {
    organiserId = (await d.calendar.resolveOrgNumbers([asOrgNumber.data])).get(asOrgNumber.data) ?? '';
    if (!organiserId) throw new NotFoundError(`No organiser with org. number ${asOrgNumber.data}`);
  }
  const items = (await d.calendar.inspectionsOf(organiserId))
    .filter((i) => (!q.from || i.end >= q.from) && (!q.to || i.start <= q.to))
    .sort((a, b) => a.start.localeCompare(b.start) || a.externalId.localeCompare(b.externalId));
  return { organiserId, items };
}

export const importFormats = { 'text/csv': parseInspectionCsv, 'text/calendar': parseInspectionIcs } as const;
/** Keeps one import inside the API function's 10 s timeout (about 2.6 ms a changed row locally). */
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
  const format = (Object.keys(importFormats) as (keyof typeof importFormats)[]).find((f) => contentType.toLowerCase().startsWith(f));
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
  for (const row of parsed.rows) {
    const organiserId = organisers.get(row.input.orgNumber);
    if (!organiserId) {
      errors.push({ line: row.line, externalId: row.externalId, reason: `orgNumber: ${unknownOrganiser(row.input.orgNumber)}` });
      continue;
    }
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
    valid: parsed.total - errors.length,
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
