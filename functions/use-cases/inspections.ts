/**
 * The inspectorate's use-cases on its calendar: idempotent upsert by external id, delete, list
 * per organiser. The bulk import of CSV / iCalendar files is inspection-import.ts (its parsers
 * are bundled only into the function that imports).
 * Every change is audited and re-checks the organiser's planned dialogue dates.
 */
import * as z from '#core/zod.ts';
import { isoDay } from '#core/fields.ts';
import { NotFoundError } from '#core/errors.ts';
import {
  externalIdSchema,
  type Inspection,
  type InspectionInput,
  inspectionHash,
  inspectionInputSchema,
  orgNumberSchema,
} from '#core/inspection.ts';
import type { Deps } from '#adapters/deps.ts';
import { type Actor, actorText, audit } from './clash.ts';
import { recheckOrganiser } from './conflicts.ts';
import { parseOrThrow } from './validate.ts';

export const unknownOrganiser = (orgNumber: string) =>
  `no organiser with org. number ${orgNumber}; the coordinators register organisers with POST /api/organisers`;

export function toInspection(d: Deps, externalId: string, organiserId: string, input: InspectionInput, actor: Actor): Inspection {
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
export async function apply(
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

export async function recheck(d: Deps, organiserIds: Iterable<string>, actor: Actor) {
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

const day = isoDay();
export const listInspectionsSchema = z.strictObject({
  organiserId: z.string().check(z.minLength(1, 'organiserId is required: the id of an organiser or its org. number'), z.maxLength(64)),
  from: z.optional(day),
  to: z.optional(day),
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
