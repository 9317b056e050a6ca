/**
 * The coordinator's decision on a dialogue step that clashes with the inspection calendar, and what
 * it leads to. 'keep': the step stays as it is. 'reschedule': an invitation not yet sent moves to
 * the first free day; a booked meeting is either given up so that the organiser is offered new,
 * clash-free times (`how: 'offer'`, the default: the meeting is cancelled, or this organiser leaves
 * a meeting it shares), or left for the coordinator to move (`how: 'move'`; the flag clears when it
 * has moved). Who decided, and when, is recorded in the dialogue's history and the audit trail.
 */
import * as z from '#core/zod.ts';
import { freeText } from '#core/fields.ts';
import { conflictDecisions, type DialogueConflict, firstFreeDay, type RescheduleHow, rescheduleHows } from '#core/clash.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { ConflictError, NotFoundError } from '#core/errors.ts';
import { stockholmDay, stockholmTime } from '#core/inspection.ts';
import { isShared, type Meeting } from '#core/meetings.ts';
import { formatSwedishDate } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { type Actor, actorText, audit, invitationPlanned, POSTPONED_START_HOUR, registerPlanned } from './clash.ts';
import { clearConflict, conflictRecord } from './conflicts.ts';
import { cancelMeetingById, leaveSharedMeeting, refuseIfBegun } from './meetings.ts';
import { parseOrThrow } from './validate.ts';

export const decisionSchema = z.strictObject({
  decision: z.enum(conflictDecisions, { message: 'decision must be keep or reschedule' }),
  /** For a booked meeting: offer the organiser new times (default), or the coordinator moves it. */
  how: z.optional(z.enum(rescheduleHows, { message: 'how must be offer or move' })),
  comment: z.optional(freeText(2000, 'comment')),
  /** The conflict the decision was made on (its `since`): a decision on one that has changed meanwhile is refused. */
  since: z.optional(z.iso.datetime({ message: 'since must be the conflict’s since time' })),
});

export type DecisionOutcome =
  /** The step stays despite the clash. */
  | 'kept'
  /** The invitation moved to the first free day; the flag is cleared. */
  | 'invitation_moved'
  /** The meeting was given up for this organiser; new clash-free times are offered (the flag is cleared). */
  | 'new_times_offered'
  /** The coordinator moves the meeting (`meetingId`); the flag clears when it has moved. */
  | 'move_by_coordinator';

export interface DecisionResult {
  dialogue: Dialogue;
  outcome: DecisionOutcome;
  meetingId?: string;
}

const meetingIdOf = (step: string): string | undefined => (step.startsWith('meeting:') ? step.slice('meeting:'.length) : undefined);

const decisionText = (decision: 'keep' | 'reschedule', how: RescheduleHow | undefined, meeting: boolean): string =>
  decision === 'keep'
    ? 'behåll steget trots krocken'
    : !meeting
      ? 'flytta inbjudan till första lediga dag'
      : how === 'move'
        ? 'samordnaren flyttar mötet'
        : 'boka om: nya tider erbjuds huvudmannen';

/** Why the organiser's meeting is cancelled (in the cancellation mail to everyone). */
const CANCEL_REASON = 'Tiden sammanfaller med Skolinspektionens granskning hos er. Ni får nya förslag på tider i ett separat mejl.';

export async function decideConflict(d: Deps, dialogueId: string, body: unknown, actor: Actor): Promise<DecisionResult> {
  const input = parseOrThrow(decisionSchema, body, 'decision');
  const existing = await d.dialogues.get(dialogueId);
  if (!existing) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const conflict = existing.conflict;
  if (!conflict) throw new ConflictError('Dialogen har ingen krock att besluta om (den kan redan vara löst).');
  if (input.since && input.since !== conflict.since)
    throw new ConflictError('Krocken har ändrats sedan sidan öppnades. Öppna den igen och besluta på nytt.');
  const meetingId = meetingIdOf(conflict.step);
  const how: RescheduleHow | undefined = input.decision === 'reschedule' && meetingId ? (input.how ?? 'offer') : undefined;
  const meeting = meetingId ? await d.meetings.get(meetingId) : undefined;
  if (meetingId && input.decision === 'reschedule') {
    if (meeting?.status !== 'booked') throw new ConflictError('Mötet som krockar är inte längre bokat.');
    refuseIfBegun(d, meeting, 'bokas om');
  }
  const now = d.clock.now();
  const at = now.toISOString();
  let moveTo: Date | undefined;
  if (input.decision === 'reschedule' && conflict.kind === 'invitation' && existing.state === 'created') {
    const inspections = await d.calendar.inspectionsOf(existing.organiserId);
    moveTo = stockholmTime(firstFreeDay(d.clashRules, 'invitation', stockholmDay(now), inspections), POSTPONED_START_HOUR);
  }
  const decision: NonNullable<DialogueConflict['decision']> = {
    decision: input.decision,
    ...(how ? { how } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
    by: actorText(actor),
    at,
  };
  const { dialogue } = await d.dialogues.mutate(dialogueId, (x) => {
    if (!x.conflict || x.conflict.since !== conflict.since) return undefined;
    const detail = `Beslut: ${decisionText(input.decision, how, Boolean(meetingId))}${input.comment ? ` – ${input.comment}` : ''}`;
    const history = [...x.history, { at, type: 'conflict_decision' as const, detail, by: actorText(actor) }];
    const next = { ...x, conflict: { ...x.conflict, decision }, updatedAt: at, history };
    return moveTo && x.state === 'created' && x.dueKind === 'start' ? { ...next, dueAt: moveTo.toISOString() } : next;
  });
  if (dialogue.conflict?.decision?.at !== at) throw new ConflictError('Krocken ändrades samtidigt. Öppna den igen och besluta på nytt.');
  await audit(d, actor, 'conflict.decision', dialogueId, {
    decision: input.decision,
    ...(how ? { how } : {}),
    comment: input.comment,
    step: conflict.step,
  });
  if (moveTo && dialogue.dueAt === moveTo.toISOString()) {
    await registerPlanned(d, invitationPlanned(dialogue, moveTo));
    await clearConflict(d, dialogueId, 'invitation', `Inbjudan flyttad till ${formatSwedishDate(moveTo)}.`, actor);
    return { dialogue: (await d.dialogues.get(dialogueId)) ?? dialogue, outcome: 'invitation_moved' };
  }
  const orgNumber = (await d.calendar.getInspection(conflict.inspectionId))?.orgNumber ?? '';
  await d.calendar.putConflict(conflictRecord(dialogue, dialogue.conflict, orgNumber));
  if (how === 'offer' && meeting) {
    await giveUpMeeting(d, meeting, dialogueId, actorText(actor));
    return { dialogue: (await d.dialogues.get(dialogueId)) ?? dialogue, outcome: 'new_times_offered', meetingId: meeting.id };
  }
  if (how === 'move' && meeting) return { dialogue, outcome: 'move_by_coordinator', meetingId: meeting.id };
  return { dialogue, outcome: 'kept' };
}

/**
 * The organiser leaves the clashing meeting: a meeting of its own is cancelled (everyone gets the
 * cancellation), a shared one keeps its other organisers. Either way the planned date goes (and with
 * it the flag) and the dialogue's phase starts a new round, whose offer skips every clashing time.
 */
async function giveUpMeeting(d: Deps, meeting: Meeting, dialogueId: string, by: string): Promise<void> {
  if (isShared(meeting)) await leaveSharedMeeting(d, meeting.id, dialogueId, by);
  else await cancelMeetingById(d, meeting.id, { reason: CANCEL_REASON }, by);
}
