/**
 * Open conflicts by planned date, for the API and the console: the coordinator sees everything, the
 * inspectorate only what the conflict check needs. A module of its own so that the functions that
 * only flag and clear conflicts do not carry its query schema.
 */
import * as z from '#core/zod.ts';
import { cursorSchema, isoDay } from '#core/fields.ts';
import { regions } from '#core/regions.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

const day = isoDay();
export const conflictQuerySchema = z.strictObject({
  from: z.optional(day),
  to: z.optional(day),
  region: z.optional(
    z.enum(Object.keys(regions) as [string, ...string[]], { message: `region must be one of ${Object.keys(regions).join(', ')}` }),
  ),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 100),
  cursor: z.optional(cursorSchema),
});

/**
 * Open conflicts by planned date. The inspectorate gets only what the conflict check needs: the
 * organiser, the inspection, the dialogue step and its date, and the rule (no dialogue id, no
 * notes, no contacts, no comments).
 */
export async function listConflicts(d: Deps, query: unknown, role: 'coordinator' | 'inspectorate') {
  const q = parseOrThrow(conflictQuerySchema, query, 'query');
  const from = q.from ?? '2000-01-01';
  const to = q.to ?? '2100-12-31';
  const page = await d.calendar.listConflicts(from, to, q.limit, q.cursor);
  const items = page.items.filter((c) => !q.region || c.region === q.region);
  return {
    cursor: page.cursor,
    items: items.map((c) => {
      const shared = {
        organiserName: c.organiserName,
        orgNumber: c.orgNumber,
        region: c.region,
        inspection: {
          externalId: c.inspectionId,
          kind: c.inspectionKind,
          start: c.inspectionStart,
          end: c.inspectionEnd,
          ...(c.schoolUnitCode ? { schoolUnitCode: c.schoolUnitCode } : {}),
        },
        // Every further inspection the step clashes with.
        otherInspections: (c.others ?? []).map((o) => ({
          externalId: o.inspectionId,
          kind: o.inspectionKind,
          start: o.inspectionStart,
          end: o.inspectionEnd,
          ...(o.schoolUnitCode ? { schoolUnitCode: o.schoolUnitCode } : {}),
          reason: o.reason,
        })),
        step: c.step,
        plannedStart: c.plannedStart,
        plannedEnd: c.plannedEnd,
        rule: c.rule,
        reason: c.reason,
        since: c.since,
      };
      return role === 'inspectorate'
        ? { ...shared, decided: c.decision?.decision }
        : { ...shared, dialogueId: c.dialogueId, organiserId: c.organiserId, decision: c.decision };
    }),
  };
}
