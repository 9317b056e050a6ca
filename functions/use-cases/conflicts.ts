/**
 * Dialogue conflicts with the inspection calendar: moving or removing a planned step (which
 * clears its conflicts), and the re-check after a calendar change that flags a planned step
 * clashing with inspections (and mails the coordinator a link to decide) or clears it. The
 * decision is conflict-decision.ts; the list for the console and the API is conflict-list.ts.
 */
import { createHash } from 'node:crypto';
import type { ConflictRecord } from '#core/calendar-ports.ts';
import {
  type ClashReason,
  type ConflictingInspection,
  type DialogueConflict,
  evaluateClash,
  type PlannedItem,
  type PlannedKind,
} from '#core/clash.ts';
import { conflictPageUrl, dialoguePageUrl } from '#core/console-links.ts';
import { formatOrgNumber } from '#core/swedish.ts';
import { swedishDaySpan } from '#core/swedish.ts';
import { type Dialogue, endedStates } from '#core/dialogue.ts';
import type { Inspection } from '#core/inspection.ts';
import { inspectionKindLabels } from '#core/console-labels.ts';
import { regions } from '#core/regions.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { logger, recordMetric } from '#adapters/observability.ts';
import { sendOnce } from './mail.ts';

import { type Actor, actorText, audit, registerPlanned } from './clash.ts';

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

/** One mail per step and set of clashing inspections: a second inspection of the same step is mailed too. */
const conflictMailStep = (c: Pick<DialogueConflict, 'step' | 'inspectionId' | 'rule' | 'others'>): string => {
  const others = (c.others ?? []).map((o) => `|${o.inspectionId}|${o.rule}`).join('');
  return `conflict-${createHash('sha256').update(`${c.step}|${c.inspectionId}|${c.rule}${others}`).digest('hex').slice(0, 12)}`;
};

export const conflictRecord = (dialogue: Dialogue, c: DialogueConflict, orgNumber: string): ConflictRecord => ({
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
  a.inspectionEnd === b.inspectionEnd &&
  JSON.stringify(a.others ?? []) === JSON.stringify(b.others ?? []);

/**
 * Flags the dialogue's planned step as clashing with the inspections in `reasons` (every one is
 * listed; the first is the conflict's own); mails the coordinator once per set of inspections.
 */
async function flagConflict(d: Deps, item: PlannedItem, reasons: readonly { reason: ClashReason; inspection: Inspection }[], actor: Actor) {
  const all: ConflictingInspection[] = reasons.map(({ reason, inspection: i }) => ({
    inspectionId: i.externalId,
    inspectionKind: i.kind,
    inspectionStart: i.start,
    inspectionEnd: i.end,
    ...(i.schoolUnitCode ? { schoolUnitCode: i.schoolUnitCode } : {}),
    rule: reason.rule,
    reason: reason.message,
  }));
  const [first, ...rest] = all;
  const inspection = reasons[0]?.inspection;
  if (!first || !inspection) return false;
  const at = d.clock.now().toISOString();
  const conflict: DialogueConflict = {
    step: item.step,
    kind: item.kind,
    plannedStart: item.start,
    plannedEnd: item.end,
    ...first,
    since: at,
    ...(rest.length ? { others: rest } : {}),
  };
  let previous: DialogueConflict | undefined;
  let ended = false;
  const { dialogue, changed } = await d.dialogues.mutate(item.dialogueId, (x) => {
    // A dialogue that has ended (closed, cancelled, declined …) is never flagged; an old flag goes.
    if (endedStates.includes(x.state)) {
      ended = x.conflict?.step === item.step;
      return undefined;
    }
    // An invitation that has gone out can no longer clash; a step already flagged for these inspections stays as it is.
    if (item.kind === 'invitation' && x.state !== 'created') return undefined;
    const c = x.conflict;
    if (c && (c.step !== item.step || sameConflict(c, conflict))) return undefined;
    previous = c;
    const detail = all.map((r) => r.reason).join(' ');
    return {
      ...x,
      // A decision stays with the same step while the inspections it was made on stay.
      conflict: c?.decision && c.inspectionId === conflict.inspectionId ? { ...conflict, since: c.since, decision: c.decision } : conflict,
      updatedAt: at,
      history: [...x.history, { at, type: 'conflict_flagged', detail, by: actorText(actor) }],
    };
  });
  if (ended) await clearConflict(d, item.dialogueId, item.step, 'Dialogen är avslutad.', actor);
  if (!changed || !dialogue.conflict) return false;
  // Counted by the one write that sets the flag: a repeated re-check finds it set and changes nothing.
  recordMetric('ConflictsFlagged', 1);
  if (previous) await d.calendar.deleteConflict(previous.plannedStart.slice(0, 10), dialogue.id);
  await d.calendar.putConflict(conflictRecord(dialogue, dialogue.conflict, inspection.orgNumber));
  await audit(d, actor, 'conflict.flagged', dialogue.id, {
    step: item.step,
    inspectionId: inspection.externalId,
    rule: first.rule,
    ...(rest.length ? { others: rest.map((r) => r.inspectionId) } : {}),
  });
  logger.warn('dialogue conflicts with an inspection', { dialogueId: dialogue.id, organiserId: dialogue.organiserId, ...conflict });
  await sendOnce(d, {
    dialogueId: dialogue.id,
    step: conflictMailStep(conflict),
    contactId: 'coordinator',
    email: d.env.COORDINATOR_EMAIL,
    render: () =>
      d.templates.email('conflict', {
        organiserName: dialogue.organiserName,
        orgNumber: formatOrgNumber(inspection.orgNumber),
        regionName: regions[dialogue.region as keyof typeof regions]?.name ?? dialogue.region,
        stepName: stepNames[item.kind],
        plannedOn: formatSwedishDate(new Date(item.start)),
        inspections: all.map((i) => ({
          kind: inspectionKindLabels[i.inspectionKind],
          span: swedishDaySpan(i.inspectionStart, i.inspectionEnd),
          schoolUnitCode: i.schoolUnitCode,
          reason: i.reason,
        })),
        several: all.length > 1,
        decisionUrl: conflictPageUrl(d.env.PUBLIC_BASE_URL, dialogue.id),
        dialogueUrl: dialoguePageUrl(d.env.PUBLIC_BASE_URL, dialogue.id),
      }),
  });
  return true;
}

/** The step has taken place (a meeting was held, an invitation sent): a flag on it is history. */
export async function clearConflictOfPastStep(d: Deps, dialogue: Pick<Dialogue, 'id' | 'conflict'>, step: string): Promise<void> {
  if (dialogue.conflict?.step === step) await clearConflict(d, dialogue.id, step, 'Steget är genomfört.', { role: 'system' });
}

export async function clearConflict(d: Deps, dialogueId: string, step: string, why: string, actor: Actor): Promise<boolean> {
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
  const now = d.clock.now().getTime();
  for (const item of planned) {
    try {
      // A step that has already taken place (a held meeting, a sent invitation) is history: never flagged.
      // (Its own flag, if any, was cleared when it took place: clearConflictOfPastStep.)
      if (Date.parse(item.end) < now) continue;
      const r = evaluateClash(d.clashRules, item, inspections);
      if (!r.ok) {
        const reasons = r.reasons.flatMap((reason) => {
          const inspection = byId.get(reason.inspectionId);
          return inspection ? [{ reason, inspection }] : [];
        });
        if (await flagConflict(d, item, reasons, actor)) out.flagged.push(item.dialogueId);
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
