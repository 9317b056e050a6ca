/**
 * Offers that do not collide: the times an offer proposes are held for its dialogue for
 * OFFER_HOLD_HOURS (functions/core/holds.ts), so the slot search gives organisers offered at the
 * same moment different times, and each organiser's page shows which of its times are still free.
 * A hold is claimed per facilitator and start with a conditional write, so two offers made at once
 * cannot both hold the same time; the loser proposes again. Holds are given back when the offer
 * is booked or replaced, and lapse by themselves.
 */
import type { Dialogue, OfferedSlot } from '#core/dialogue.ts';
import { type BusyInterval, busyOf, type Interval } from '#core/facilitators.ts';
import { heldByOthers, holdUntil, type OfferHold, sessionPlacesHeldByOthers, sessionResource } from '#core/holds.ts';
import type { IntroSession } from '#core/intro-sessions.ts';
import type { StoredFacilitator } from '#core/ports.ts';
import { type MeetingKind, slotStillFree } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { holdsOf } from '#adapters/hold-repository.ts';

export const offerKey = (kind: string, round: number, no: number): string => `${kind}:${round}:${no}`;

/** What a slot search or an availability check for one dialogue sees. */
export interface Availability {
  facilitators: StoredFacilitator[];
  /** The facilitators' bookings and blocks, plus what other dialogues' open offers hold. */
  busy: BusyInterval[];
  holds: OfferHold[];
}

export async function availabilityFor(d: Deps, dialogueId: string): Promise<Availability> {
  const now = d.clock.now();
  const [facilitators, holds] = await Promise.all([
    d.facilitators.list(),
    d.scheduling.holdHours > 0 ? holdsOf(d).active(now) : Promise.resolve([]),
  ]);
  return { facilitators, holds, busy: [...busyOf(facilitators), ...heldByOthers(holds, dialogueId, now)] };
}

/** Places of a session this dialogue may still take: free places not held for another dialogue's offer. */
export function placesLeftFor(s: IntroSession, dialogueId: string, holds: readonly OfferHold[], now: Date): number {
  if (s.dialogueIds.includes(dialogueId)) return 1;
  return s.capacity - s.dialogueIds.length - sessionPlacesHeldByOthers(holds, s.id, dialogueId, now);
}

/** The holds a slot needs: each facilitator of the pair at each session's start, or a place in the intro session. */
function holdsFor(dialogueId: string, offer: string, slot: OfferedSlot, until: (start?: Date) => string): OfferHold[] {
  if (slot.introSessionId) {
    return [
      {
        resource: sessionResource(slot.introSessionId),
        slot: dialogueId,
        holder: dialogueId,
        offer,
        until: until(new Date(slot.sessions[0]?.start ?? 0)),
      },
    ];
  }
  return slot.sessions.flatMap((s) =>
    [slot.pair.skolverket, slot.pair.spsm].map((facilitatorId) => ({
      resource: facilitatorId,
      slot: s.start,
      holder: dialogueId,
      offer,
      start: s.start,
      end: s.end,
      until: until(new Date(s.start)),
    })),
  );
}

/**
 * Holds every slot of an offer for the dialogue (renewing its own holds). Returns the slots it
 * could not hold because another dialogue's offer holds them; their partial holds are given back.
 */
export async function holdSlots(d: Deps, dialogueId: string, offer: string, slots: readonly OfferedSlot[]): Promise<OfferedSlot[]> {
  if (d.scheduling.holdHours <= 0) return [];
  const now = d.clock.now();
  const until = (start?: Date) => holdUntil(now, d.scheduling.holdHours, start).toISOString();
  const lost: OfferedSlot[] = [];
  for (const slot of slots) {
    const wanted = holdsFor(dialogueId, offer, slot, until);
    const taken: OfferHold[] = [];
    for (const h of wanted) {
      if (!(await holdsOf(d).claim(h, now))) break;
      taken.push(h);
    }
    if (taken.length < wanted.length) {
      await Promise.all(taken.map((h) => holdsOf(d).release(h)));
      lost.push(slot);
    }
  }
  return lost;
}

/** Gives back the holds the dialogue has on these slots (a booked or replaced offer). */
export async function releaseSlots(d: Deps, dialogueId: string, slots: readonly OfferedSlot[]): Promise<void> {
  if (d.scheduling.holdHours <= 0) return;
  const all = slots.flatMap((s) => holdsFor(dialogueId, '', s, () => ''));
  await Promise.all(all.map((h) => holdsOf(d).release(h)));
}

/** The busy time a slot stands for, to keep a slot another offer just took out of the next search. */
export const asBusy = (slots: readonly OfferedSlot[]): BusyInterval[] =>
  slots
    .filter((s) => !s.introSessionId)
    .flatMap((s) =>
      s.sessions.flatMap((i) =>
        [s.pair.skolverket, s.pair.spsm].map((facilitatorId) => ({
          facilitatorId,
          source: 'hold' as const,
          start: new Date(i.start),
          end: new Date(i.end),
        })),
      ),
    );

export type SlotStatus = 'free' | 'taken';

/**
 * Whether each slot of the dialogue's offer can still be booked by it now: in the future, the pair
 * free (its calendars, and no other dialogue's offer holding the time), or a place left in the
 * group session. Reads the facilitators, the holds and the offered sessions once.
 */
export async function slotStatuses(d: Deps, x: Dialogue, kind: MeetingKind, slots: readonly OfferedSlot[]): Promise<SlotStatus[]> {
  const now = d.clock.now();
  const { facilitators, busy, holds } = await availabilityFor(d, x.id);
  const sessions = new Map<string, IntroSession | undefined>();
  for (const id of new Set(slots.flatMap((s) => (s.introSessionId ? [s.introSessionId] : [])))) {
    sessions.set(id, await d.introSessions.get(id));
  }
  const ctx = { facilitators, busy, calendar: d.scheduling.calendar, settings: d.scheduling.settings };
  return slots.map((slot) => {
    if (Date.parse(slot.sessions[0]?.start ?? '') <= now.getTime()) return 'taken';
    if (slot.introSessionId) {
      const s = sessions.get(slot.introSessionId);
      if (s?.status !== 'open') return 'taken';
      return placesLeftFor(s, x.id, holds, now) > 0 ? 'free' : 'taken';
    }
    const proposal = {
      pair: slot.pair,
      sessions: slot.sessions.map((i): Interval => ({ start: new Date(i.start), end: new Date(i.end) })),
    };
    return slotStillFree(ctx, kind, proposal) ? 'taken' : 'free';
  });
}
