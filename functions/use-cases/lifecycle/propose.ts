/**
 * Proposing a phase's times: places in fitting group intro sessions first, else free slots of a
 * facilitator pair, never what another dialogue's open offer holds; and holding them for the
 * offer (functions/use-cases/offer-holds.ts). Apart from the offer's mail, so the console can list
 * free times without the meeting and calendar-mail code.
 */
import { addDays, type Dialogue, type OfferedSlot, type PhaseMeetingKind } from '#core/dialogue.ts';
import { NotFoundError } from '#core/errors.ts';
import type { Interval } from '#core/facilitators.ts';
import { sessionsToOffer } from '#core/intro-sessions.ts';
import { plannedKindOf } from '#core/meetings.ts';
import type { Organiser } from '#core/organiser.ts';
import { proposeSlots } from '#core/scheduling.ts';
import { addCalendarDays, stockholmInstant } from '#core/calendar.ts';
import type { Deps } from '#adapters/deps.ts';
import { clashesFor } from '../clash.ts';
import { workingCalendar } from '../school-holidays.ts';
import { availabilityFor, holdSlots, placesLeftFor } from '../offer-holds.ts';

export async function organiserOf(d: Deps, x: Dialogue): Promise<Organiser> {
  const o = await d.organisers.get(x.organiserId);
  if (!o) throw new NotFoundError(`Dialogue ${x.id} names organiser '${x.organiserId}', which does not exist`);
  return o;
}

const toSlot = (pair: OfferedSlot['pair'], sessions: readonly Interval[], introSessionId?: string): OfferedSlot => ({
  pair,
  sessions: sessions.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
  ...(introSessionId ? { introSessionId } : {}),
});

/**
 * Proposes times for the phase: places in fitting group intro sessions first, else 3 free slots of
 * the pair. What other dialogues' open offers hold is not free, so offers made one after the other
 * propose different times.
 */
export async function proposeFor(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  exclude: { days: readonly string[]; sessions: readonly string[] },
  opts: {
    /** Offer places in group intro sessions (default true). */
    groupSessions?: boolean;
    /** How many times to propose (default 3). */
    count?: number;
  } = {},
): Promise<OfferedSlot[]> {
  const now = d.clock.now();
  const organiser = await organiserOf(d, x);
  const { facilitators, busy, holds } = await availabilityFor(d, x.id);
  const clashes = await clashesFor(d, [x.organiserId], plannedKindOf(kind));
  if (kind === 'intro' && opts.groupSessions !== false) {
    const profile = {
      region: x.region,
      municipal: x.municipal,
      preschoolOnly: organiser.schoolForms.length === 1 && organiser.schoolForms[0] === 'forskola',
    };
    const sessions = sessionsToOffer(await d.introSessions.list(x.region), profile, now).filter(
      (s) =>
        !exclude.sessions.includes(s.id) &&
        new Date(s.start).getTime() >= addDays(now, 2).getTime() &&
        placesLeftFor(s, x.id, holds, now) > 0 &&
        // A group session is offered like any time: never one that clashes with the organiser's inspections.
        clashes([{ start: new Date(s.start), end: new Date(s.end) }]).length === 0,
    );
    if (sessions.length > 0) {
      return sessions.slice(0, 5).map((s) => toSlot(s.pair, [{ start: new Date(s.start), end: new Date(s.end) }], s.id));
    }
  }
  const lastDay = exclude.days.toSorted().at(-1);
  try {
    const slots = proposeSlots(
      {
        facilitators,
        busy,
        calendar: await workingCalendar(d, [organiser.countyCode]),
        settings: d.scheduling.settings,
      },
      {
        kind,
        now,
        previousMeetingEnd: x.lastMeetingEnd ? new Date(x.lastMeetingEnd) : undefined,
        count: opts.count ?? 3,
        ...(kind === 'dialogue' && x.meetingPlan ? { sessions: x.meetingPlan.sessions, sessionMinutes: x.meetingPlan.sessionMinutes } : {}),
        prefs: { previous: x.pair },
        clashCheck: (sessions) => clashes(sessions).length > 0,
        notBefore: lastDay ? stockholmInstant(addCalendarDays(lastDay, 1), '00:00') : undefined,
      },
    );
    return slots.map((s) => toSlot(s.pair, s.sessions));
  } catch (e) {
    if (e instanceof RangeError) return [];
    throw e;
  }
}

/**
 * Proposes and holds the offer's times. Run inside `holdsOf(d).exclusive`: the search sees every
 * other offer's holds, so what it proposes is free to hold.
 */
export async function proposeAndHold(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  exclude: { days: readonly string[]; sessions: readonly string[] },
  offer: string,
): Promise<OfferedSlot[]> {
  const slots = await proposeFor(d, x, kind, exclude);
  await holdSlots(d, x.id, offer, slots);
  return slots;
}
