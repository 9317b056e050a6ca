/**
 * When nobody booked (the hand-over mail links here), the coordinator books the phase's meeting for
 * the organiser from clash-free proposals, or sends the organiser new times. Each proposal is carried
 * by the form itself (pair and sessions), so the booking is checked exactly like any other: the
 * pair must still be free and the time must not clash with an inspection.
 */
import * as z from '#core/zod.ts';
import type { Dialogue, OfferedSlot, PhaseMeetingKind } from '#core/dialogue.ts';
import { ConflictError, NotFoundError } from '#core/errors.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { requestOtherTimes } from './lifecycle/offer.ts';
import { proposeFor } from './lifecycle/propose.ts';
import { bookingKindOf } from './lifecycle/phase.ts';
import { createMeeting } from './meetings.ts';
import { parseOrThrow } from './validate.ts';

export interface BookingOptions {
  dialogue: Dialogue;
  /** The phase whose meeting waits to be booked; undefined when none does. */
  kind?: PhaseMeetingKind;
  physical: boolean;
  slots: OfferedSlot[];
}

/** Up to five clash-free individual times of a free pair (the organiser's previous pair first). */
export async function bookingOptions(d: Deps, dialogueId: string): Promise<BookingOptions> {
  const dialogue = await d.dialogues.get(dialogueId);
  if (!dialogue) throw new NotFoundError(`Det finns ingen dialog med id ${dialogueId}.`);
  const kind = bookingKindOf(dialogue);
  if (!kind) return { dialogue, physical: false, slots: [] };
  const slots = await proposeFor(d, dialogue, kind, { days: [], sessions: [] }, { groupSessions: false, count: 5 });
  return { dialogue, kind, physical: meetingKindRules[kind].mode === 'physical', slots };
}

/** A proposal as the form carries it: "skolverket|spsm|start|end[|start|end…]". */
export const slotValue = (s: OfferedSlot): string =>
  [s.pair.skolverket, s.pair.spsm, ...s.sessions.flatMap((x) => [x.start, x.end])].join('|');

const idPart = z.string().check(z.regex(/^[a-z0-9-]{1,63}$/));
const instant = z.iso.datetime({ offset: true });
const choiceSchema = z.pipe(
  z.string({ message: 'Välj en av tiderna.' }).check(z.minLength(1, 'Välj en av tiderna.'), z.maxLength(400)),
  z.transform((v, ctx) => {
    const [skolverket, spsm, ...times] = v.split('|');
    const sessions: { start: string; end: string }[] = [];
    for (let i = 0; i + 1 < times.length; i += 2) sessions.push({ start: times[i] as string, end: times[i + 1] as string });
    const ok =
      idPart.safeParse(skolverket).success &&
      idPart.safeParse(spsm).success &&
      times.length % 2 === 0 &&
      sessions.length >= 1 &&
      sessions.length <= 3 &&
      sessions.every((s) => instant.safeParse(s.start).success && instant.safeParse(s.end).success);
    if (!ok) {
      ctx.issues.push({ code: 'custom', message: 'Välj en av tiderna i listan.', input: v });
      return z.NEVER;
    }
    return { pair: { skolverket: skolverket as string, spsm: spsm as string }, sessions };
  }),
);

const bookFormSchema = z.object({
  choice: choiceSchema,
  location: z.optional(z.string().check(z.trim(), z.maxLength(300, 'Skriv högst 300 tecken.'))),
  videoLink: z.optional(z.string().check(z.trim(), z.maxLength(500, 'Länken är för lång.'))),
});

export interface BookingResult {
  done: boolean;
  message: string;
}

/** Books the chosen proposal for the organiser; its offer ends and everyone gets the calendar invitation. */
export async function bookForOrganiser(d: Deps, dialogueId: string, form: Record<string, string>, by: string): Promise<BookingResult> {
  const input = parseOrThrow(bookFormSchema, form, 'form');
  const x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${dialogueId}.`);
  const kind = bookingKindOf(x);
  if (!kind) {
    const booked = x.phase?.meetingId ? await d.meetings.get(x.phase.meetingId) : undefined;
    const same = booked?.sessions.every((s, i) => Date.parse(s.start) === Date.parse(input.choice.sessions[i]?.start ?? ''));
    if (booked && same) return { done: false, message: 'Mötet var redan bokat på den tiden.' };
    throw new ConflictError('Dialogen väntar inte på någon bokning just nu.');
  }
  const rule = meetingKindRules[kind];
  if (rule.mode === 'physical' && (input.location ?? '').length < 3)
    throw new ConflictError('Skriv var dialogmötet hålls (adress hos huvudmannen).');
  if (rule.mode === 'digital' && !/^https:\/\/\S+$/.test(input.videoLink ?? ''))
    throw new ConflictError('Ange mötets videolänk (en https-adress).');
  const meeting = await createMeeting(
    d,
    {
      dialogueIds: [dialogueId],
      kind,
      sessions: input.choice.sessions,
      pair: input.choice.pair,
      ...(rule.mode === 'physical' ? { location: input.location } : { videoLink: input.videoLink }),
    },
    by,
  );
  return { done: true, message: `${rule.name} är bokat (${meeting.id}).` };
}

/** The organiser is sent new times instead (a new offer; the old links stop offering the old ones). */
export async function offerNewTimes(d: Deps, dialogueId: string, by: string): Promise<BookingResult> {
  const x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${dialogueId}.`);
  const status = x.phase?.offer?.status;
  if (!bookingKindOf(x) || (status !== 'open' && status !== 'escalated')) {
    if (status === 'other_times') return { done: false, message: 'Nya tider håller redan på att skickas.' };
    throw new ConflictError('Dialogen väntar inte på någon bokning just nu.');
  }
  await requestOtherTimes(d, dialogueId, by, 'Samordnaren skickar nya förslag på tider');
  return { done: true, message: 'Nya förslag på tider skickas till huvudmannen.' };
}
