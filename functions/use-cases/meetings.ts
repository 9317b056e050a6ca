/**
 * Coordinator use-cases on meetings: book (a pair and sessions for one or more dialogues),
 * reschedule, cancel, name participants, register notes. Every change books or releases the pair
 * in the facilitators' calendars, records a history entry on each dialogue, and mails the pair and
 * participants a calendar invitation (REQUEST, or CANCEL) through the send-once mail log. These
 * do not move the dialogue's state: the phase workflows that build on them do.
 */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Dialogue, HistoryType } from '#core/dialogue.ts';
import type { Interval } from '#core/facilitators.ts';
import {
  bookMeeting,
  cancelMeeting,
  hasBegun,
  hasEnded,
  checkParticipants,
  type Meeting,
  meetingIntervals,
  meetingNotesSchema,
  meetingPlanned,
  meetingStep,
  isShared,
  leaveMeeting,
  nameParticipants,
  newMeetingSchema,
  plannedKindOf,
  registerNotes,
  rescheduleMeeting,
  sessionSchema,
} from '#core/meetings.ts';
import { type FacilitatorPair, pairSchema, samePair, validatePair } from '#core/facilitators.ts';
import { meetingKindRules, sessionProblems } from '#core/scheduling.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import { countiesOf, workingCalendar } from './school-holidays.ts';
import type { Organiser } from '#core/organiser.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';
import { publishMeeting } from './calendar-sync.ts';
import { clashesFor, registerPlanned } from './clash.ts';
import { movePlanned, removePlanned } from './conflicts.ts';
import { recheckOrganiser } from './conflicts.ts';
import { onMeetingBooked, onMeetingCancelled, onMeetingMoved, onNotesRegistered } from './lifecycle/progress.ts';
import { sendStep } from './mail.ts';
import { composeMeetingMails, meetingMailStep } from './meeting-mail.ts';
import { mailContext, mailMeeting } from './meeting-send.ts';
import { bookFacilitators, bookPair } from './scheduling.ts';
import { freeText } from '#core/fields.ts';
import { parseOrThrow } from './validate.ts';

/** The times fit the working calendar of the meeting's organisers (their counties' school holidays too) and lie ahead. */
async function checkTimes(
  d: Deps,
  m: Pick<Meeting, 'kind'>,
  intervals: Interval[],
  dialogues: readonly Dialogue[],
  organisers: readonly Organiser[] = [],
): Promise<void> {
  const calendar = await workingCalendar(
    d,
    await countiesOf(
      d,
      dialogues.map((x) => x.organiserId),
      organisers,
    ),
  );
  const problems = sessionProblems(m.kind, intervals, calendar);
  if (problems.length > 0) throw new ValidationError(`${meetingKindRules[m.kind].name} kan inte hållas då: ${problems.join('; ')}.`);
  if (intervals.some((i) => i.start.getTime() <= d.clock.now().getTime()))
    throw new ValidationError('Ett möte måste ligga framåt i tiden.');
}

/**
 * A meeting that has begun is history: moving, cancelling, changing its pair or its participants is
 * refused (409) with a Swedish reason, before anything is booked, released or mailed.
 */
export function refuseIfBegun(d: Pick<Deps, 'clock'>, m: Meeting, change: string): void {
  const now = d.clock.now();
  if (!hasBegun(m, now)) return;
  const name = meetingKindRules[m.kind].name;
  const day = formatSwedishDate(new Date(Math.max(...m.sessions.map((s) => Date.parse(s.end)))));
  throw new ConflictError(
    hasEnded(m, now)
      ? `${name} hölls ${day} och kan inte ${change} i efterhand. Ett genomfört möte ändras inte.`
      : `${name} pågår och kan inte ${change}.`,
    { meetingId: m.id },
  );
}

/** The dialogues `ids` names: `known` ones as the caller holds them, the others read. */
async function dialoguesOf(d: Deps, ids: readonly string[], known: readonly Dialogue[] = []): Promise<Dialogue[]> {
  const out: Dialogue[] = [];
  for (const id of ids) {
    const dialogue = known.find((x) => x.id === id) ?? (await d.dialogues.get(id));
    if (!dialogue) throw new NotFoundError(`No dialogue with id '${id}'`);
    out.push(dialogue);
  }
  return out;
}

/**
 * Refuses (409, in Swedish, before anything is booked) a time that breaks a clash rule for any of
 * the meeting's organisers. One Query per organiser.
 */
async function refuseClash(d: Deps, m: Pick<Meeting, 'kind'>, dialogues: readonly Dialogue[], intervals: Interval[]): Promise<void> {
  const organisers = new Map(dialogues.map((x) => [x.organiserId, x.organiserName]));
  const messages: string[] = [];
  for (const [organiserId, organiserName] of organisers) {
    const clashes = await clashesFor(d, [organiserId], plannedKindOf(m.kind));
    for (const r of clashes(intervals)) messages.push(organisers.size > 1 ? `${organiserName}: ${r.message}` : r.message);
  }
  if (messages.length > 0) {
    throw new ConflictError(`Tiden krockar med Skolinspektionens kalender. ${messages.join(' ')}`, { reasons: messages });
  }
}

/**
 * After registering the meeting's planned dates: an inspection saved between the check and the
 * registration would have missed them, so check once more and let the re-check flag it.
 */
async function recheckAfterRegistering(d: Deps, m: Pick<Meeting, 'kind'>, dialogues: readonly Dialogue[], intervals: Interval[]) {
  for (const organiserId of new Set(dialogues.map((x) => x.organiserId))) {
    const clashes = await clashesFor(d, [organiserId], plannedKindOf(m.kind));
    if (clashes(intervals).length > 0) await recheckOrganiser(d, organiserId, { role: 'system' });
  }
}

const bufferOf = (d: Deps, m: Pick<Meeting, 'kind'>): number => d.scheduling.settings.bufferMinutes[meetingKindRules[m.kind].mode];

/**
 * Notes `type` in the history of each of the meeting's dialogues but `skip`. `pair`: the meeting's
 * pair, copied onto each dialogue (the console filters dialogues by facilitator); `known`: records
 * the caller holds. Returns the records as written.
 */
async function note(
  d: Deps,
  m: Meeting,
  type: HistoryType,
  detail: string,
  pair?: Meeting['pair'],
  by?: string,
  skip: ReadonlySet<string> = new Set(),
  known: readonly Dialogue[] = [],
): Promise<Dialogue[]> {
  const at = d.clock.now().toISOString();
  const written: Dialogue[] = [];
  for (const id of m.dialogueIds) {
    if (skip.has(id)) continue;
    const { dialogue } = await d.dialogues.mutate(
      id,
      (x) => ({
        ...x,
        ...(pair ? { pair: { skolverket: pair.skolverket, spsm: pair.spsm } } : {}),
        history: [...x.history, { at, type, detail, ...(by ? { by } : {}) }],
        updatedAt: at,
      }),
      known.find((x) => x.id === id),
    );
    written.push(dialogue);
  }
  return written;
}

/**
 * `by`: who booked it, for the dialogues' history (the console passes the signed-in person);
 * `known`: dialogues the caller has just read or written (not read again); `facilitators`: every
 * facilitator as the caller read them in this step (the pair's bookings are written conditioned on
 * their version, so an older read only costs a retry); `organisers`: organisers the caller read in
 * this step (their counties' school holidays; not read again).
 */
export async function createMeeting(
  d: Deps,
  body: unknown,
  by?: string,
  known?: readonly Dialogue[],
  facilitators?: readonly StoredFacilitator[],
  organisers?: readonly Organiser[],
): Promise<Meeting> {
  const input = parseOrThrow(newMeetingSchema, body, 'meeting');
  const dialogues = await dialoguesOf(d, input.dialogueIds, known);
  const meeting = bookMeeting(`mtg-${randomUUID()}`, input, d.clock.now());
  const intervals = meetingIntervals(meeting);
  await checkTimes(d, meeting, intervals, dialogues, organisers);
  const people = facilitators ?? (await d.facilitators.list());
  const pairProblem = validatePair(meeting.pair, people);
  if (pairProblem) throw new ValidationError(`pair: ${pairProblem}`);
  await refuseClash(d, meeting, dialogues, intervals);
  const pair = await bookPair(d, meeting.pair, intervals, meeting.id, bufferOf(d, meeting), people);
  await d.meetings.create(meeting);
  // Registered as planned dates, so a later inspection flags exactly these dialogues.
  for (const dialogue of dialogues) await registerPlanned(d, meetingPlanned(meeting, dialogue));
  await recheckAfterRegistering(d, meeting, dialogues, intervals);
  // Dialogues offering this kind of meeting move to *_booked and their phase workflow ends; the
  // booking is noted in the same write, and in its own on the other dialogues.
  const detail = `${meetingKindRules[meeting.kind].name} ${formatSwedishDateTime((intervals[0] as Interval).start)} (${meeting.id})`;
  const at = d.clock.now().toISOString();
  const booked = await onMeetingBooked(d, meeting, { at, type: 'meeting_booked', detail, ...(by ? { by } : {}) }, dialogues);
  const noted = await note(d, meeting, 'meeting_booked', detail, meeting.pair, by, booked.moved, booked.dialogues);
  const latest = booked.dialogues.map((x) => noted.find((y) => y.id === x.id) ?? x);
  await publishMeeting(d, meeting, { known: latest, facilitators: pair, created: true });
  await mailMeeting(d, meeting, 'REQUEST', { known: { dialogues: latest, facilitators: pair } });
  return meeting;
}

export async function getMeeting(d: Deps, id: string): Promise<Meeting> {
  const m = await d.meetings.get(id);
  if (!m) throw new NotFoundError(`No meeting with id '${id}'`);
  return m;
}

export const listMeetingsOfDialogue = (d: Deps, dialogueId: string): Promise<Meeting[]> => d.meetings.listForDialogue(dialogueId);

const rescheduleSchema = z.strictObject({
  sessions: z.array(sessionSchema).check(z.minLength(1), z.maxLength(3)),
  pair: z.optional(pairSchema),
});

/** `by`: who moved it, for the dialogues' history (the console passes the signed-in person). */
export async function moveMeeting(d: Deps, id: string, body: unknown, by?: string): Promise<Meeting> {
  const input = parseOrThrow(rescheduleSchema, body, 'reschedule');
  const current = await getMeeting(d, id);
  refuseIfBegun(d, current, 'flyttas');
  const moved = rescheduleMeeting(current, input.sessions, d.clock.now(), input.pair ?? current.pair);
  const intervals = meetingIntervals(moved);
  const dialogues = await dialoguesOf(d, moved.dialogueIds);
  await checkTimes(d, moved, intervals, dialogues);
  const pairProblem = validatePair(moved.pair, await d.facilitators.list());
  if (pairProblem) throw new ValidationError(`pair: ${pairProblem}`);
  await refuseClash(d, moved, dialogues, intervals);
  // Book the new times under the same ref (replacing the old entries), then commit the meeting.
  await bookPair(d, moved.pair, intervals, id, bufferOf(d, moved));
  for (const old of [current.pair.skolverket, current.pair.spsm]) {
    if (old !== moved.pair.skolverket && old !== moved.pair.spsm) await release(d, old, id);
  }
  const { meeting } = await d.meetings.mutate(id, (x) => (x.sequence === current.sequence ? moved : undefined));
  if (meeting.sequence !== moved.sequence)
    throw new ConflictError('The meeting was changed by someone else meanwhile; reload and try again');
  const when = formatSwedishDateTime(new Date(meeting.sessions[0]?.start ?? 0));
  for (const dialogue of dialogues) await movePlanned(d, meetingPlanned(meeting, dialogue), `Mötet är flyttat till ${when}.`);
  await recheckAfterRegistering(d, meeting, dialogues, intervals);
  await note(
    d,
    meeting,
    'meeting_rescheduled',
    `${meetingKindRules[meeting.kind].name} flyttat till ${formatSwedishDateTime(new Date(meeting.sessions[0]?.start ?? 0))} (${meeting.id})`,
    meeting.pair,
    by,
  );
  await onMeetingMoved(d, meeting);
  await publishMeeting(d, meeting, { former: [current.pair.skolverket, current.pair.spsm] });
  // Sessions a shorter split drops keep their UIDs and get a CANCEL of their own.
  await mailMeeting(d, meeting, 'REQUEST', { dropped: current.sessions.slice(meeting.sessions.length) });
  return meeting;
}

async function release(d: Deps, facilitatorId: string, ref: string): Promise<void> {
  await d.facilitators.mutate(facilitatorId, (f) =>
    f.calendar.some((c) => c.ref === ref)
      ? { ...f, calendar: f.calendar.filter((c) => c.ref !== ref), updatedAt: d.clock.now().toISOString() }
      : undefined,
  );
}

const cancelSchema = z.strictObject({ reason: z.optional(freeText(500, 'reason')) });

export async function cancelMeetingById(d: Deps, id: string, body: unknown, by?: string): Promise<Meeting> {
  const input = parseOrThrow(cancelSchema, body ?? {}, 'cancellation');
  const before = await getMeeting(d, id);
  if (before.status === 'booked') refuseIfBegun(d, before, 'ställas in');
  const { meeting } = await d.meetings.mutate(id, (x) => cancelMeeting(x, d.clock.now(), input.reason));
  for (const f of [meeting.pair.skolverket, meeting.pair.spsm]) await release(d, f, id);
  for (const dialogueId of meeting.dialogueIds) {
    const dialogue = await d.dialogues.get(dialogueId);
    if (dialogue) await removePlanned(d, dialogue.organiserId, dialogueId, meetingStep(meeting.id));
  }
  await note(d, meeting, 'meeting_cancelled', `${meetingKindRules[meeting.kind].name} inställt (${meeting.id})`, undefined, by);
  await publishMeeting(d, meeting);
  await mailMeeting(d, meeting, 'CANCEL');
  // Dialogues that had this meeting booked go back to *_offered; a new round offers new times.
  await onMeetingCancelled(d, meeting);
  return meeting;
}

/**
 * One organiser leaves a meeting it shares with others (its manage link): the meeting stays booked
 * for the rest, who get the invitation again (SEQUENCE + 1, the new attendee list); the leaving
 * organiser's people get a CANCEL, and its dialogue is offered new times. Resumable: a retry after
 * a crash finishes the steps (mails are send-once, the dialogue moves only from *_booked). A meeting
 * of its own is cancelled as before.
 */
export async function leaveSharedMeeting(d: Deps, id: string, dialogueId: string, by?: string): Promise<Meeting> {
  const current = await getMeeting(d, id);
  if (current.status === 'booked') refuseIfBegun(d, current, 'lämnas');
  if (!isShared(current) && current.dialogueIds.includes(dialogueId)) {
    return cancelMeetingById(d, id, { reason: 'Avbokat av huvudmannen.' }, by);
  }
  const { meeting } = await d.meetings.mutate(id, (x) => leaveMeeting(x, dialogueId, d.clock.now()));
  const left = meeting.left?.findLast((l) => l.dialogueId === dialogueId);
  if (!left) throw new ConflictError(`Dialogue '${dialogueId}' is not part of meeting '${id}'`);
  const leaver = await d.dialogues.get(dialogueId);
  const name = meetingKindRules[meeting.kind].name;
  if (leaver) await removePlanned(d, leaver.organiserId, dialogueId, meetingStep(meeting.id));
  // The leaving organiser's calendar entries go (same UID, the SEQUENCE of the leave).
  const gone: Meeting = {
    ...meeting,
    dialogueIds: [dialogueId],
    participants: left.participants,
    sequence: left.sequence,
    status: 'cancelled',
    cancelledReason: `Ni deltar inte längre i det gemensamma mötet. Vi skickar nya förslag på tider för ${name.toLowerCase()}.`,
    introSessionId: undefined,
  };
  // Someone who stays through another organiser (a shared school chief) keeps the meeting.
  const staying = await mailContext(d, meeting);
  const except = new Set(
    [...(staying.organiserRecipients ?? []), ...meeting.participants, ...staying.facilitators].map((p) => p.email.toLowerCase()),
  );
  await mailMeeting(d, gone, 'CANCEL', { organisersOnly: true, except });
  await note(d, gone, 'meeting_left', `Lämnade ${name.toLowerCase()} (${meeting.id}) som delas med andra huvudmän`, undefined, by);
  await publishMeeting(d, meeting, { dialogueIds: [dialogueId] });
  // The others: the same meeting with the new attendee list, unless it has changed again since.
  if (meeting.status === 'booked' && meeting.sequence === left.sequence) {
    await note(
      d,
      meeting,
      'meeting_left',
      `${leaver?.organiserName ?? 'En huvudman'} deltar inte längre i ${name.toLowerCase()} (${meeting.id})`,
    );
    await mailMeeting(d, meeting, 'REQUEST', { change: 'left', leftName: leaver?.organiserName });
  }
  await onMeetingCancelled(d, { ...gone, status: 'booked' });
  return meeting;
}

/** The organiser's named participants; new ones receive the current invitation. */
/** `dialogueId`: the organiser naming them (its manage link); in a shared meeting only its own list changes. */
/** The participants body: `{ participants: [...] }` and nothing else (checked before anything is read). */
const participantsBodySchema = z.strictObject({ participants: z.array(z.unknown()) });

export async function setParticipants(d: Deps, id: string, body: unknown, dialogueId?: string): Promise<Meeting> {
  const { participants } = parseOrThrow(participantsBodySchema, body, 'participants');
  checkParticipants(participants, 'participants');
  const current = await getMeeting(d, id);
  if (current.status === 'booked') refuseIfBegun(d, current, 'få nya deltagare');
  const { meeting } = await d.meetings.mutate(id, (x) => nameParticipants(x, participants, d.clock.now(), dialogueId));
  await mailMeeting(d, meeting, 'REQUEST');
  return meeting;
}

export async function addNotes(d: Deps, id: string, body: unknown, by: string): Promise<Meeting> {
  parseOrThrow(meetingNotesSchema, body, 'notes');
  // The change reads the meeting; only when it fails is the meeting looked up, so that a missing one answers 404.
  const { meeting } = await d.meetings
    .mutate(id, (x) => registerNotes(x, body, by, d.clock.now()))
    .catch(async (e: unknown) => {
      if (e instanceof ConflictError && !(await d.meetings.get(id))) throw new NotFoundError(`No meeting with id '${id}'`);
      throw e;
    });
  const at = d.clock.now().toISOString();
  await onNotesRegistered(d, meeting, { at, type: 'notes_registered', detail: `Minnesanteckningar registrerade (${meeting.id})` });
  return meeting;
}

const reassignSchema = z.strictObject({
  pair: pairSchema,
  sequence: z.number({ message: 'sequence: the meeting version you saw' }).check(z.int(), z.gte(0)),
});

const pairIds = (p: FacilitatorPair): string[] => [p.skolverket, p.spsm];

/**
 * Gives a booked meeting another facilitator pair (one from Skolverket, one from SPSM, both free
 * then), keeping its times. Version-checked: `sequence` is the version the coordinator saw; the
 * same reassignment confirmed twice finds it done and changes nothing. Everyone, the new pair
 * included, gets the invitation with SEQUENCE+1; a dropped facilitator gets a METHOD:CANCEL.
 */
export async function reassignPair(d: Deps, id: string, body: unknown, by?: string): Promise<{ meeting: Meeting; changed: boolean }> {
  const input = parseOrThrow(reassignSchema, body, 'reassignment');
  const current = await getMeeting(d, id);
  if (current.sequence === input.sequence + 1 && samePair(current.pair, input.pair)) return { meeting: current, changed: false };
  if (current.sequence !== input.sequence)
    throw new ConflictError('Mötet har ändrats sedan sidan öppnades. Öppna det igen och välj på nytt.');
  if (current.status !== 'booked') throw new ConflictError('Mötet är inställt; det går inte att byta dialogutförare.');
  refuseIfBegun(d, current, 'få nya dialogutförare');
  if (samePair(current.pair, input.pair)) throw new ValidationError('Välj minst en ny dialogutförare.');
  const pairProblem = validatePair(input.pair, await d.facilitators.list());
  if (pairProblem) throw new ValidationError(`pair: ${pairProblem}`);
  const moved = rescheduleMeeting(current, current.sessions, d.clock.now(), input.pair);
  const intervals = meetingIntervals(moved);
  const dialogues = await dialoguesOf(d, moved.dialogueIds);
  await refuseClash(d, moved, dialogues, intervals);
  const added = pairIds(moved.pair).filter((f) => !pairIds(current.pair).includes(f));
  const dropped = pairIds(current.pair).filter((f) => !pairIds(moved.pair).includes(f));
  await bookFacilitators(d, added, intervals, id, bufferOf(d, moved));
  const { meeting } = await d.meetings.mutate(id, (x) => (x.sequence === current.sequence ? moved : undefined));
  if (meeting.sequence !== moved.sequence || !samePair(meeting.pair, moved.pair)) {
    for (const f of added) await release(d, f, id);
    throw new ConflictError('Mötet ändrades av någon annan samtidigt. Öppna det igen.');
  }
  for (const f of dropped) await release(d, f, id);
  const names = await Promise.all(pairIds(meeting.pair).map(async (f) => (await d.facilitators.get(f))?.name ?? f));
  await note(
    d,
    meeting,
    'pair_reassigned',
    `${meetingKindRules[meeting.kind].name}: ${names.join(' och ')} (${meeting.id})`,
    meeting.pair,
    by,
  );
  await publishMeeting(d, meeting, { former: dropped });
  await mailMeeting(d, meeting, 'REQUEST', { change: 'pair' });
  await mailDropped(d, { ...meeting, pair: current.pair }, dropped);
  return { meeting, changed: true };
}

/** METHOD:CANCEL, at the meeting's new SEQUENCE, to the facilitators taken off it (send-once). */
async function mailDropped(d: Deps, asBefore: Meeting, dropped: readonly string[]): Promise<void> {
  if (dropped.length === 0) return;
  const mails = composeMeetingMails(d.templates, {
    ...(await mailContext(d, asBefore)),
    meeting: { ...asBefore, participants: [], cancelledReason: 'Du har ersatts som dialogutförare för mötet.' },
    method: 'CANCEL',
  });
  await sendStep(
    d,
    asBefore.dialogueIds[0] as string,
    meetingMailStep(asBefore, 'CANCEL'),
    mails
      .filter((m) => dropped.includes(m.recipientKey))
      .map((mail) => ({
        contactId: mail.recipientKey,
        email: mail.to,
        render: () => ({ subject: mail.subject, text: mail.text, html: mail.html, calendar: mail.calendar }),
      })),
  );
}
