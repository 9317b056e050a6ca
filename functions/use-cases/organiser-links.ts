/**
 * What the organiser's meeting links do, apart from how the pages look (functions/http/organiser/):
 * book an offered time (claiming the offer first, so two contacts picking at
 * once book one meeting), join a group intro session, find new times for a booked meeting, and
 * stop after the introduction. The link's step says what it is for:
 *
 *   offer:<kind>:<round>:<no>    pick one of the offered times (or intro sessions), or ask for others
 *   manage:<meetingId>:<seq>     name participants, reschedule, cancel a booked meeting
 *   stop                         stop after the introduction (from the analysis-material mail)
 *   overview                     the dialogue's overview, read-only (every mail after the acceptance)
 */
import { ConflictError, ValidationError } from '#core/errors.ts';
import type { Dialogue, OfferedSlot, PhaseMeetingKind } from '#core/dialogue.ts';
import { joinIntroSession } from '#core/intro-sessions.ts';
import { bookMeeting, type Meeting, meetingPlanned, plannedKindOf } from '#core/meetings.ts';
import type { AnswerLink, StoredFacilitator } from '#core/ports.ts';
import { countiesOf, workingCalendar } from './school-holidays.ts';
import { optionValue, proposeSlots, sessionPlan } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { isConditionFailure } from '#functions/adapters/dynamo.ts';
import { syncPlannedDates } from './calendar-sync.ts';
import { clashesFor, registerPlanned } from './clash.ts';
import { mailIntroSessionToPairOrLater } from './intro-session-mail.ts';
import { OVERVIEW_STEP } from './overview-link.ts';
import { requestOtherTimes } from './lifecycle/offer.ts';
import { onMeetingBooked, stopAfterIntro } from './lifecycle/progress.ts';
import { placeOf } from './meeting-place.ts';
import { createMeeting } from './meetings.ts';
import { availabilityFor, slotStatuses } from './offer-holds.ts';
import { mailMeeting } from './meeting-send.ts';
import { busyOf } from '#core/facilitators.ts';

export const isOrganiserPageStep = (step: string): boolean =>
  step === 'stop' || step === OVERVIEW_STEP || step.startsWith('offer:') || step.startsWith('manage:');

export function parseOfferStep(step: string): { kind: PhaseMeetingKind; round: number; no: number } {
  const [, kind, round, no] = step.split(':');
  return { kind: kind as PhaseMeetingKind, round: Number(round), no: Number(no) };
}

export function parseManageStep(step: string): { meetingId: string; sequence: number } {
  const [, meetingId = '', sequence] = step.split(':');
  return { meetingId, sequence: Number(sequence) };
}

/** "Send us other times": the offer waits for new proposals (the link's offer is no longer open). */
export async function askForOtherTimes(d: Deps, x: Dialogue, link: AnswerLink, comment?: string): Promise<void> {
  await requestOtherTimes(d, x.id, link.contactId, comment);
}

/** Stops the dialogue after the introduction at the organiser's word (the dialogue then ends). */
export const stopByLink = (d: Deps, x: Dialogue, link: AnswerLink): Promise<{ dialogue: Dialogue; changed: boolean }> =>
  stopAfterIntro(d, x.id, link.contactId);

export type BookingOutcome = { booked: Meeting } | { notOpen: Dialogue } | { taken: true };

/**
 * Books `slot` of the dialogue's current offer. The offer is claimed first (two contacts picking
 * at once must not book two meetings); a failed booking gives the claim back. `taken`: the time is
 * no longer free; `notOpen`: the offer was answered or replaced meanwhile.
 */
export async function bookOffered(d: Deps, x: Dialogue, link: AnswerLink, slot: OfferedSlot): Promise<BookingOutcome> {
  const { kind } = parseOfferStep(link.step);
  const no = x.phase?.offer?.no;
  // Booked by someone else, or held for another organiser's offer (a time this offer no longer holds).
  const availability = await availabilityFor(d, x.id);
  const [status] = await slotStatuses(d, x, kind, [slot], availability);
  if (status === 'taken') return { taken: true };
  const claim = await d.dialogues.mutate(
    x.id,
    (y) => {
      const offer = y.phase?.offer;
      if (!y.phase || !offer || offer.no !== no || (offer.status !== 'open' && offer.status !== 'escalated')) return undefined;
      return { ...y, phase: { ...y.phase, offer: { ...offer, status: 'booking' } } };
    },
    x,
  );
  if (!claim.changed) return { notOpen: claim.dialogue };
  const previous = x.phase?.offer?.status ?? 'open';
  let booked: Meeting;
  try {
    booked = await bookSlotFor(d, claim.dialogue, kind, slot, availability.facilitators);
  } catch (e) {
    await d.dialogues.mutate(x.id, (y) => {
      const offer = y.phase?.offer;
      if (!y.phase || !offer || offer.no !== no || offer.status !== 'booking') return undefined;
      return { ...y, phase: { ...y.phase, offer: { ...offer, status: previous } } };
    });
    if (e instanceof ConflictError || e instanceof ValidationError) return { taken: true };
    throw e;
  }
  return { booked };
}

/**
 * Books one offered slot for the dialogue: a place in a group intro session, or a meeting with the
 * slot's pair. `facilitators`: as the caller read them in this step (their bookings are written
 * conditioned on their version, so an older read only costs a retry).
 */
export const bookSlotFor = (
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  slot: OfferedSlot,
  facilitators?: readonly StoredFacilitator[],
): Promise<Meeting> => (slot.introSessionId ? joinIntro(d, x, slot, facilitators) : bookSlot(d, x, kind, slot, facilitators));

async function bookSlot(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  slot: OfferedSlot,
  facilitators?: readonly StoredFacilitator[],
): Promise<Meeting> {
  // Read once for the place (a physical meeting is held at the organiser) and the county's school holidays.
  const organiser = await d.organisers.get(x.organiserId);
  return createMeeting(
    d,
    {
      dialogueIds: [x.id],
      kind,
      sessions: slot.sessions,
      pair: slot.pair,
      ...(await placeOf(d, x, kind, organiser)),
      participants: [],
    },
    undefined,
    [x],
    facilitators,
    organiser ? [organiser] : [],
  );
}

/**
 * A place in a group intro session: the session holds the pair's booking; the organiser gets its
 * own invitation. `facilitators`: as the caller read them in this step (the mails name the pair).
 */
async function joinIntro(d: Deps, x: Dialogue, slot: OfferedSlot, facilitators: readonly StoredFacilitator[] = []): Promise<Meeting> {
  const sessionId = slot.introSessionId as string;
  const now = d.clock.now();
  const { session } = await d.introSessions.mutate(sessionId, (s) => joinIntroSession(s, x.id, now));
  if (!session.dialogueIds.includes(x.id)) throw new ConflictError('The intro session is full, cancelled or over');
  const meeting: Meeting = {
    ...bookMeeting(
      `mtg-${session.id}-${x.id.replace(/^dlg-/, '').slice(0, 12)}`,
      {
        dialogueIds: [x.id],
        kind: 'intro',
        sessions: [{ start: session.start, end: session.end }],
        pair: session.pair,
        videoLink: session.videoLink,
        participants: [],
      },
      now,
    ),
    introSessionId: session.id,
  };
  try {
    await d.meetings.create(meeting);
  } catch (e) {
    if (!isConditionFailure(e)) throw e; // created by an earlier attempt
  }
  await registerPlanned(d, meetingPlanned(meeting, x));
  const { dialogues } = await onMeetingBooked(d, meeting, undefined, [x]);
  await syncPlannedDates(d, x.id, dialogues[0], [meeting], { othersAsStored: true });
  await mailMeeting(d, meeting, 'REQUEST', { known: { dialogues, facilitators } });
  await mailIntroSessionToPairOrLater(d, session, dialogues, facilitators);
  return meeting;
}

export { optionValue } from '#core/scheduling.ts';

/** New times for a booked meeting: the same pair first, the same number and length of sessions. */
export async function rescheduleOptions(d: Deps, x: Dialogue, m: Meeting) {
  if (m.introSessionId) return [];
  const facilitators = await d.facilitators.list();
  const busy = busyOf(facilitators).filter((b) => b.ref !== m.id);
  const clashes = await clashesFor(d, [...new Set([x.organiserId])], plannedKindOf(m.kind));
  const minutes = Math.round((Date.parse(m.sessions[0]?.end ?? '') - Date.parse(m.sessions[0]?.start ?? '')) / 60_000);
  try {
    sessionPlan(m.kind, m.sessions.length, minutes);
    return proposeSlots(
      { facilitators, busy, calendar: await workingCalendar(d, await countiesOf(d, [x.organiserId])), settings: d.scheduling.settings },
      {
        kind: m.kind,
        now: d.clock.now(),
        previousMeetingEnd: x.lastMeetingEnd ? new Date(x.lastMeetingEnd) : undefined,
        sessions: m.sessions.length,
        sessionMinutes: minutes,
        count: 3,
        prefs: { previous: m.pair },
        clashCheck: (sessions) => clashes(sessions).length > 0,
      },
    ).filter(
      (s) =>
        optionValue(s) !==
        optionValue({ pair: m.pair, sessions: m.sessions.map((i) => ({ start: new Date(i.start), end: new Date(i.end) })) }),
    );
  } catch (e) {
    if (e instanceof RangeError) return [];
    throw e;
  }
}
