/**
 * Dialogue conflicts with the inspection calendar: moving or removing a planned step (which
 * clears its conflicts), the re-check after a calendar change that flags a planned step clashing
 * with an inspection (and mails the coordinator) or clears it, the coordinator's decision (keep or
 * reschedule), and the conflict view for the console and the API.
 */
import { createHash } from 'node:crypto';
import * as z from '#core/zod.ts';
import { cursorSchema, freeText, isoDay } from '#core/fields.ts';
import type { ConflictRecord } from '#core/calendar-ports.ts';
import { conflictDecisions, type DialogueConflict, evaluateClash, firstFreeDay, type PlannedItem, type PlannedKind } from '#core/clash.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { ConflictError, NotFoundError } from '#core/errors.ts';
import { type Inspection, inspectionKindNames, stockholmDay, stockholmTime } from '#core/inspection.ts';
import { regions } from '#core/regions.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { logger, recordMetric } from '#adapters/observability.ts';
import { sendOnce } from './mail.ts';
import { parseOrThrow } from './validate.ts';

import { type Actor, actorText, audit, invitationPlanned, POSTPONED_START_HOUR, registerPlanned } from './clash.ts';

export async function removePlanned(d: Deps, organiserId: string, dialogueId: string, step: string): Promise<void> {
  await d.calendar.deletePlanned(organiserId, dialogueId, step);
  await clearConflict(d, dialogueId, step, 'Det planerade steget är borttaget.', { role: 'system' });
}

/**
 * Registers a planned step at a new time (a rescheduled meeting) and clears a flag the old time
 * had: the caller has checked the new time against the calendar.
 */
export async function movePlanned(d: Deps, item: Omit<PlannedItem, 'registeredAt'>, why: string): Promise<void> {
  await registerPlanned(d, item);
  await clearConflict(d, item.dialogueId, item.step, why, { role: 'system' });
}

/** Hour (Europe/Stockholm) at which a postponed invitation goes out. */

const stepNames: Record<PlannedKind, string> = {
  invitation: 'inbjudan',
  digital_meeting: 'digitalt möte',
  physical_meeting: 'fysiskt dialogmöte',
};

const conflictMailStep = (c: Pick<DialogueConflict, 'step' | 'inspectionId' | 'rule'>): string =>
  `conflict-${createHash('sha256').update(`${c.step}|${c.inspectionId}|${c.rule}`).digest('hex').slice(0, 12)}`;

const conflictRecord = (dialogue: Dialogue, c: DialogueConflict, orgNumber: string): ConflictRecord => ({
  ...c,
  dialogueId: dialogue.id,
  organiserId: dialogue.organiserId,
  organiserName: dialogue.organiserName,
  orgNumber,
  region: dialogue.region,
});

const sameConflict = (a: DialogueConflict, b: DialogueConflict): boolean =>
  a.inspectionId === b.inspectionId &&
  a.rule === b.rule &&
  a.plannedStart === b.plannedStart &&
  a.inspectionStart === b.inspectionStart &&
  a.inspectionEnd === b.inspectionEnd;

/** Flags the dialogue's planned step as clashing with an inspection; mails the coordinator once. */
async function flagConflict(d: Deps, item: PlannedItem, inspection: Inspection, reason: { rule: string; message: string }, actor: Actor) {
  const at = d.clock.now().toISOString();
  const conflict: DialogueConflict = {
    step: item.step,
    kind: item.kind,
    plannedStart: item.start,
    plannedEnd: item.end,
    inspectionId: inspection.externalId,
    inspectionKind: inspection.kind,
    inspectionStart: inspection.start,
    inspectionEnd: inspection.end,
    ...(inspection.schoolUnitCode ? { schoolUnitCode: inspection.schoolUnitCode } : {}),
    rule: reason.rule,
    reason: reason.message,
    since: at,
  };
  let previous: DialogueConflict | undefined;
  const { dialogue, changed } = await d.dialogues.mutate(item.dialogueId, (x) => {
    // An invitation that has gone out can no longer clash; a step already flagged for this inspection stays as it is.
    if (item.kind === 'invitation' && x.state !== 'created') return undefined;
    const c = x.conflict;
    if (c && (c.step !== item.step || sameConflict(c, conflict))) return undefined;
    previous = c;
    return {
      ...x,
      conflict,
      updatedAt: at,
      history: [...x.history, { at, type: 'conflict_flagged', detail: reason.message, by: actorText(actor) }],
    };
  });
  if (!changed) return false;
  // Counted by the one write that sets the flag: a repeated re-check finds it set and changes nothing.
  recordMetric('ConflictsFlagged', 1);
  if (previous) await d.calendar.deleteConflict(previous.plannedStart.slice(0, 10), dialogue.id);
  await d.calendar.putConflict(conflictRecord(dialogue, conflict, inspection.orgNumber));
  await audit(d, actor, 'conflict.flagged', dialogue.id, { step: item.step, inspectionId: inspection.externalId, rule: reason.rule });
  logger.warn('dialogue conflicts with an inspection', { dialogueId: dialogue.id, organiserId: dialogue.organiserId, ...conflict });
  await sendOnce(d, {
    dialogueId: dialogue.id,
    step: conflictMailStep(conflict),
    contactId: 'coordinator',
    email: d.env.COORDINATOR_EMAIL,
    render: () =>
      d.templates.email('conflict', {
        organiserName: dialogue.organiserName,
        orgNumber: inspection.orgNumber,
        regionName: regions[dialogue.region as keyof typeof regions]?.name ?? dialogue.region,
        stepName: stepNames[item.kind],
        plannedOn: formatSwedishDate(new Date(item.start)),
        inspectionKind: inspectionKindNames[inspection.kind],
        inspectionSpan: inspection.start === inspection.end ? inspection.start : `${inspection.start} – ${inspection.end}`,
        schoolUnitCode: inspection.schoolUnitCode,
        reason: reason.message,
        dialogueUrl: `${d.env.PUBLIC_BASE_URL}/api/dialogues/${dialogue.id}`,
        decisionUrl: `${d.env.PUBLIC_BASE_URL}/api/conflicts/${dialogue.id}/decision`,
      }),
  });
  return true;
}

async function clearConflict(d: Deps, dialogueId: string, step: string, why: string, actor: Actor): Promise<boolean> {
  const at = d.clock.now().toISOString();
  let cleared: DialogueConflict | undefined;
  const { changed } = await d.dialogues.mutate(dialogueId, (x) => {
    if (!x.conflict || x.conflict.step !== step) return undefined;
    cleared = x.conflict;
    const { conflict, ...rest } = x;
    return { ...rest, updatedAt: at, history: [...x.history, { at, type: 'conflict_cleared', detail: why, by: actorText(actor) }] };
  });
  if (!changed || !cleared) return false;
  // Counted by the one write that removes the flag: a repeated clear finds none and changes nothing.
  recordMetric('ConflictsCleared', 1);
  await d.calendar.deleteConflict(cleared.plannedStart.slice(0, 10), dialogueId);
  await audit(d, actor, 'conflict.cleared', dialogueId, { step, inspectionId: cleared.inspectionId });
  return true;
}

/**
 * After a change to an organiser's inspections: flags every planned step that now clashes and
 * clears every flag that no longer does. Two Queries on the organiser's partition plus one
 * read per planned step that clashes or was flagged.
 */
export async function recheckOrganiser(
  d: Deps,
  organiserId: string,
  actor: Actor,
): Promise<{ flagged: string[]; cleared: string[]; failed: string[] }> {
  const [inspections, planned] = await Promise.all([d.calendar.inspectionsOf(organiserId), d.calendar.plannedOf(organiserId)]);
  const byId = new Map(inspections.map((i) => [i.externalId, i]));
  const out = { flagged: [] as string[], cleared: [] as string[], failed: [] as string[] };
  for (const item of planned) {
    try {
      const r = evaluateClash(d.clashRules, item, inspections);
      if (!r.ok) {
        const first = r.reasons[0];
        const inspection = first && byId.get(first.inspectionId);
        if (first && inspection && (await flagConflict(d, item, inspection, first, actor))) out.flagged.push(item.dialogueId);
      } else if (await clearConflict(d, item.dialogueId, item.step, 'Inspektionen som krockade är inställd eller flyttad.', actor)) {
        out.cleared.push(item.dialogueId);
      }
    } catch (e) {
      // One bad planned item (e.g. its dialogue is gone) must not keep the others from being checked.
      logger.error('re-check of a planned item failed', { organiserId, dialogueId: item.dialogueId, step: item.step, error: e as Error });
      out.failed.push(item.dialogueId);
    }
  }
  return out;
}

export const decisionSchema = z.strictObject({
  decision: z.enum(conflictDecisions, { message: 'decision must be keep or reschedule' }),
  comment: z.optional(freeText(2000, 'comment')),
});

/**
 * The coordinator's decision on a flagged conflict. 'keep' records that the step stays despite
 * the clash; 'reschedule' records it and, for an invitation not yet sent, moves its start to the
 * first free day (the meeting phases reschedule their own steps when they see the decision).
 */
export async function decideConflict(d: Deps, dialogueId: string, body: unknown, actor: Actor): Promise<Dialogue> {
  const input = parseOrThrow(decisionSchema, body, 'decision');
  const existing = await d.dialogues.get(dialogueId);
  if (!existing) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  if (!existing.conflict) throw new ConflictError(`Dialogue ${dialogueId} has no conflict to decide on`);
  const now = d.clock.now();
  const at = now.toISOString();
  let moveTo: Date | undefined;
  if (input.decision === 'reschedule' && existing.conflict.kind === 'invitation' && existing.state === 'created') {
    const inspections = await d.calendar.inspectionsOf(existing.organiserId);
    moveTo = stockholmTime(firstFreeDay(d.clashRules, 'invitation', stockholmDay(now), inspections), POSTPONED_START_HOUR);
  }
  const decision = { decision: input.decision, ...(input.comment ? { comment: input.comment } : {}), by: actorText(actor), at };
  const { dialogue } = await d.dialogues.mutate(dialogueId, (x) => {
    if (!x.conflict) return undefined;
    const detail = `Beslut: ${input.decision === 'keep' ? 'behåll' : 'boka om'}${input.comment ? ` – ${input.comment}` : ''}`;
    const history = [...x.history, { at, type: 'conflict_decision' as const, detail, by: actorText(actor) }];
    if (moveTo && x.state === 'created' && x.dueKind === 'start') {
      return { ...x, conflict: { ...x.conflict, decision }, dueAt: moveTo.toISOString(), updatedAt: at, history };
    }
    return { ...x, conflict: { ...x.conflict, decision }, updatedAt: at, history };
  });
  if (!dialogue.conflict) throw new ConflictError(`Dialogue ${dialogueId} has no conflict to decide on`);
  await audit(d, actor, 'conflict.decision', dialogueId, {
    decision: input.decision,
    comment: input.comment,
    step: dialogue.conflict.step,
  });
  if (moveTo && dialogue.dueAt === moveTo.toISOString()) {
    await registerPlanned(d, invitationPlanned(dialogue, moveTo));
    await clearConflict(d, dialogueId, 'invitation', `Inbjudan flyttad till ${formatSwedishDate(moveTo)}.`, actor);
    return (await d.dialogues.get(dialogueId)) ?? dialogue;
  }
  const orgNumber = (await d.calendar.getInspection(dialogue.conflict.inspectionId))?.orgNumber ?? '';
  await d.calendar.putConflict(conflictRecord(dialogue, dialogue.conflict, orgNumber));
  return dialogue;
}

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
