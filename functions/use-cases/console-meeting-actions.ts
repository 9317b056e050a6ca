/**
 * The coordinator's actions on a booked meeting from the console: reschedule (new times from the
 * form, checked like any booking), cancel with a reason, reassign the facilitator pair.
 */
import * as z from '#core/zod.ts';
import { isoDay } from '#core/fields.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Deps } from '#adapters/deps.ts';
import { stockholmDate, stockholmInstant, stockholmTime } from '#core/calendar.ts';
import type { Meeting } from '#core/meetings.ts';
import { cancelMeetingById, moveMeeting, reassignPair } from './meetings.ts';
import { parseOrThrow } from './validate.ts';
import type { ActionResult } from './console-actions.ts';

// ---- meeting actions -------------------------------------------------------------------------

export const meetingActions = ['reschedule', 'cancel', 'reassign'] as const;
export type MeetingAction = (typeof meetingActions)[number];

/** The meeting, if it belongs to the dialogue (a URL mixing two dialogues finds nothing). */
export async function meetingOfDialogue(d: Deps, dialogueId: string, meetingId: string): Promise<Meeting> {
  const m = await d.meetings.get(meetingId);
  if (!m?.dialogueIds.includes(dialogueId)) throw new NotFoundError(`Dialogen har inget möte med id ${meetingId}.`);
  return m;
}

/** A session as the reschedule form shows it: Stockholm date and wall-clock times. */
export const sessionFields = (s: { start: string; end: string }) => ({
  date: stockholmDate(new Date(s.start)),
  start: stockholmTime(new Date(s.start)),
  end: stockholmTime(new Date(s.end)),
});

const versionSchema = z.coerce
  .number({ message: 'Formuläret saknar mötets version; öppna åtgärden igen.' })
  .check(z.int(), z.gte(0), z.lte(10_000));
const dateField = isoDay('Ange ett datum som finns, som ÅÅÅÅ-MM-DD.');
const timeField = z.string().check(z.regex(/^\d{2}:\d{2}$/, 'Ange tid som TT:MM.'));

function sessionsOf(form: Record<string, string>, count: number): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let i = 0; i < count; i++) {
    const f = parseOrThrow(
      z.object({ date: dateField, start: timeField, end: timeField }),
      {
        date: form[`date-${i}`],
        start: form[`start-${i}`],
        end: form[`end-${i}`],
      },
      'form',
    );
    let start: Date;
    let end: Date;
    try {
      start = stockholmInstant(f.date, f.start);
      end = stockholmInstant(f.date, f.end);
    } catch {
      throw new ValidationError('Datumet eller tiden finns inte. Kontrollera fälten.');
    }
    if (end <= start) throw new ValidationError(`Del ${i + 1}: sluttiden måste vara efter starttiden.`);
    out.push({ start: start.toISOString(), end: end.toISOString() });
  }
  return out;
}

const sameSessions = (a: readonly { start: string; end: string }[], b: readonly { start: string; end: string }[]) =>
  a.length === b.length &&
  a.every((s, i) => Date.parse(s.start) === Date.parse(b[i]?.start ?? '') && Date.parse(s.end) === Date.parse(b[i]?.end ?? ''));

/**
 * A meeting action from the console. `seq` is the meeting version the coordinator saw: the same
 * confirmation posted twice finds the work done (done: false), an older version is refused.
 */
export async function runMeetingAction(
  d: Deps,
  dialogueId: string,
  meetingId: string,
  action: MeetingAction,
  form: Record<string, string>,
  actor: string,
): Promise<ActionResult> {
  const seq = parseOrThrow(z.object({ seq: versionSchema }), form, 'form').seq;
  const m = await meetingOfDialogue(d, dialogueId, meetingId);
  if (action === 'cancel') {
    const { reason } = parseOrThrow(
      z.object({
        reason: z.string().check(z.trim(), z.minLength(1, 'Skriv varför mötet ställs in.'), z.maxLength(500, 'Skriv högst 500 tecken.')),
      }),
      form,
      'form',
    );
    if (m.status === 'cancelled' && m.sequence === seq + 1) return { done: false, message: 'Mötet var redan inställt.' };
    if (m.sequence !== seq) throw new ConflictError('Mötet har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    await cancelMeetingById(d, meetingId, { reason }, actor);
    return { done: true, message: 'Mötet är inställt.' };
  }
  if (action === 'reschedule') {
    const sessions = sessionsOf(form, m.sessions.length);
    if (m.sequence === seq + 1 && m.status === 'booked' && sameSessions(m.sessions, sessions)) {
      return { done: false, message: 'Mötet var redan flyttat dit.' };
    }
    if (m.sequence !== seq) throw new ConflictError('Mötet har ändrats sedan sidan öppnades. Öppna åtgärden igen.');
    if (m.status !== 'booked') throw new ConflictError('Mötet är inställt och kan inte flyttas.');
    if (sameSessions(m.sessions, sessions)) throw new ValidationError('Välj en ny tid; den här är mötets nuvarande tid.');
    await moveMeeting(d, meetingId, { sessions }, actor);
    return { done: true, message: 'Mötet är flyttat.' };
  }
  const pair = parseOrThrow(
    z.object({
      skolverket: z.string().check(z.minLength(1, 'Välj en dialogutförare från Skolverket.')),
      spsm: z.string().check(z.minLength(1, 'Välj en dialogutförare från SPSM.')),
    }),
    form,
    'form',
  );
  const r = await reassignPair(d, meetingId, { pair, sequence: seq }, actor);
  return r.changed
    ? { done: true, message: 'Mötet har nya dialogutförare.' }
    : { done: false, message: 'Mötet hade redan de dialogutförarna.' };
}
